using Sticky.Mm;
using Xunit;
using static Sticky.Tests.Mm.ForkHelpers;
using Space = Sticky.Mm.AddressSpace<Sticky.Tests.Mm.SimulatedMemory, Sticky.Tests.Mm.RecordingTlb>;

namespace Sticky.Tests.Mm;

// AddressSpace.ResidentPages, the running count, against CountPresentPages,
// the page-table walk, after every kind of operation that maps or unmaps.
public unsafe class ResidentPagesTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong Data = 0x40_0000;            // private RW, 8 pages
    private const ulong Far = 0x7F00_0000_0000;      // private RW under another PML4 entry
    private const ulong Shared = 0x60_0000;          // MAP_SHARED, 4 pages

    public ResidentPagesTests() : base(512) { }

    private static void AssertCounted(Space s, ulong expected)
    {
        Assert.Equal(expected, s.CountPresentPages());
        Assert.Equal(expected, s.ResidentPages);
    }

    private Space NewSpace(SharedMemoryObject shm)
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Data), 8 * Page, Protection.ReadWrite));
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Far), 2 * Page, Protection.ReadWrite));
        Assert.Equal(RegionResult.Ok, s.AddSharedRegion(At(Shared), 4 * Page, Protection.ReadWrite, shm, 0));
        return s;
    }

    [Fact]
    public void DemandZero_SharedCommits_ReadsAndSpuriousFaults()
    {
        var shm = new SharedMemoryObject(4);
        var s = NewSpace(shm);
        AssertCounted(s, 0);
        Poke(M, s, Data, 1);
        Peek(M, s, Data + Page);                     // a read maps too
        Poke(M, s, Far, 2);
        Poke(M, s, Shared + 2 * Page, 3);
        AssertCounted(s, 4);
        Poke(M, s, Data + 8, 4);                     // already mapped: no change
        Assert.Equal(FaultVerdict.Handled, s.HandleFault(At(Data), isWrite: true, isUser: true, isExec: false));
        Assert.Equal(FaultVerdict.Handled, s.ResolvePage(At(Shared + 2 * Page), forWrite: true, out _));
        AssertCounted(s, 4);
        Assert.Equal(FaultVerdict.NoRegion, s.HandleFault(At(Data + 8 * Page), isWrite: true, isUser: true, isExec: false));
        AssertCounted(s, 4);
        s.Destroy();
        Assert.Equal(0UL, s.ResidentPages);
        shm.Release(M.Frames);
    }

    [Fact]
    public void Munmap_AndMprotect()
    {
        var shm = new SharedMemoryObject(4);
        var s = NewSpace(shm);
        for (ulong p = 0; p < 8; p++) Poke(M, s, Data + p * Page, (byte)p);
        Poke(M, s, Shared, 9);
        Poke(M, s, Shared + 3 * Page, 9);
        AssertCounted(s, 10);
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(Data + 2 * Page), 3 * Page));   // splits the region
        AssertCounted(s, 7);
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(Data + Page), 2 * Page));       // half of it a hole already
        AssertCounted(s, 6);
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(Far), 2 * Page));               // nothing mapped there
        AssertCounted(s, 6);
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(Shared), Page));
        AssertCounted(s, 5);
        Assert.Equal(RegionResult.Ok, s.ProtectRange(At(Data), Page, Protection.Read));
        AssertCounted(s, 5);
        s.Destroy();
        Assert.Equal(0UL, s.ResidentPages);
        shm.Release(M.Frames);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fork_CowBreaks_AndTeardown(bool eager)
    {
        var shm = new SharedMemoryObject(4);
        var parent = NewSpace(shm);
        for (ulong p = 0; p < 4; p++) Poke(M, parent, Data + p * Page, (byte)p);
        Poke(M, parent, Far, 7);
        Poke(M, parent, Shared + Page, 8);
        FrameNumber pinned = FrameAt(parent, Data + 3 * Page);
        M.Frames.Pin(pinned);                        // copied at fork time when eager
        AssertCounted(parent, 6);

        var child = Fork(parent, eager);
        AssertCounted(parent, 6);
        AssertCounted(child, 6);

        Poke(M, child, Data, 10);                    // COW copy in the child
        Poke(M, parent, Data, 11);                   // the parent, now sole owner, reuses
        Poke(M, parent, Data + Page, 12);            // COW copy in the parent
        Poke(M, child, Shared + Page, 13);           // shared: no copy
        Poke(M, child, Data + 5 * Page, 14);         // demand-zero in the child alone
        AssertCounted(parent, 6);
        AssertCounted(child, 7);

        var grandchild = Fork(child, eager);
        AssertCounted(grandchild, 7);
        Assert.Equal(RegionResult.Ok, child.RemoveRange(At(Data), 4 * Page));
        AssertCounted(child, 3);
        AssertCounted(grandchild, 7);
        AssertCounted(parent, 6);

        child.Destroy();
        Assert.Equal(0UL, child.ResidentPages);
        AssertCounted(grandchild, 7);
        parent.Destroy();
        grandchild.Destroy();
        M.Frames.Unpin(pinned);
        shm.Release(M.Frames);
    }

    [Fact]
    public void FailedFork_LeavesTheParentsCountAlone()
    {
        var shm = new SharedMemoryObject(4);
        var parent = NewSpace(shm);
        for (ulong p = 0; p < 3; p++) Poke(M, parent, Data + p * Page, (byte)p);
        Poke(M, parent, Far, 1);
        var hog = M.Exhaust(leave: 4);               // enough for a PML4 and some tables, not all
        Assert.Null(parent.Fork(false));
        M.FreeAll(hog);
        AssertCounted(parent, 4);
        parent.Destroy();
        shm.Release(M.Frames);
    }
}
