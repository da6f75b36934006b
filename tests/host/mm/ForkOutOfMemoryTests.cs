using System.Collections.Generic;
using Sticky.Mm;
using Xunit;
using static Sticky.Tests.Mm.ForkHelpers;
using Space = Sticky.Mm.AddressSpace<Sticky.Tests.Mm.SimulatedMemory, Sticky.Tests.Mm.RecordingTlb>;

namespace Sticky.Tests.Mm;

// Fork running out of frames at every allocation it makes, and teardown
// returning every frame after a fork.
public unsafe class ForkOutOfMemoryTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong A = 0x40_0000;             // private RW, 16 pages
    private const ulong B = 0x7F00_0000_0000;      // private RW under another PML4 entry
    private const ulong C = 0x50_0000;             // private read-only
    private const ulong D = 0x60_0000;             // MAP_SHARED

    public ForkOutOfMemoryTests() : base(512) { }

    // A parent with every kind of page fork treats differently; `sibling` is an
    // earlier fork that still COW-shares A's first page (a third owner).
    private sealed class World
    {
        public Space Parent, Sibling;
        public SharedMemoryObject Shm;
        public FrameNumber PinnedA, PinnedB;
        public readonly Dictionary<ulong, byte> Expected = new();
    }

    private World Build()
    {
        var w = new World { Parent = M.NewSpace(), Shm = new SharedMemoryObject(2) };
        Space p = w.Parent;
        Assert.Equal(RegionResult.Ok, p.AddRegion(At(A), 16 * Page, Protection.ReadWrite));
        Assert.Equal(RegionResult.Ok, p.AddRegion(At(B), 2 * Page, Protection.ReadWrite));
        Assert.Equal(RegionResult.Ok, p.AddRegion(At(C), Page, Protection.Read));
        Assert.Equal(RegionResult.Ok, p.AddSharedRegion(At(D), 2 * Page, Protection.ReadWrite, w.Shm, 0));
        Set(w, A, 1);
        Set(w, A + 3 * Page, 2);
        w.Sibling = Fork(p);
        Set(w, A + 3 * Page, 3);                       // the parent copies: A+3 is its own again
        Set(w, A + 7 * Page, 4);
        w.PinnedA = FrameAt(p, A + 7 * Page);
        M.Frames.Pin(w.PinnedA);                       // a futex waiter of the parent
        Set(w, B, 5);
        w.PinnedB = FrameAt(p, B);
        M.Frames.Pin(w.PinnedB);                       // another, on the first page needing new child tables
        Set(w, B + Page, 6);
        w.Expected[C] = Peek(M, p, C);                 // demand-zero, read-only
        Set(w, D, 7);
        Set(w, D + Page, 8);
        return w;
    }

    private void Set(World w, ulong va, byte value)
    {
        Poke(M, w.Parent, va, value);
        w.Expected[va] = value;
    }

    private void AssertContents(Space s, World w)
    {
        foreach (var (va, value) in w.Expected) Assert.Equal(value, Peek(M, s, va));
    }

    private void TearDown(World w)
    {
        w.Parent.Destroy();
        w.Sibling.Destroy();
        M.Frames.Unpin(w.PinnedA);
        M.Frames.Unpin(w.PinnedB);
        w.Shm.Release(M.Frames);
    }

    // Every present page of `s` with its frame and that frame's reference count.
    private List<(ulong va, FrameNumber frame, uint refs)> Snapshot(Space s)
    {
        var pages = new List<(ulong, FrameNumber, uint)>();
        VirtualAddress from = At(Paging.UserStart);
        while (s.Table.NextMapped(from, At(Paging.UserEnd), out VirtualAddress page, out PageTableEntry pte))
        {
            pages.Add((page.Value, pte.Frame, M.Frames.RefCountOf(pte.Frame)));
            from = page + Page;
        }
        return pages;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OutOfMemory_AtEveryAllocation_LeavesNothingBehind_AndTheParentWorks(bool eager)
    {
        World w = Build();
        int failures = 0;
        for (ulong k = 0; ; k++)
        {
            var before = Snapshot(w.Parent);
            ulong shared = M.Frames.SharedFrames, pinned = M.Frames.PinnedFrames, used = M.Frames.UsedFrames;
            uint shmRefs = w.Shm.RefCount;
            var hog = M.Exhaust(leave: k);   // the frame table runs out after k allocations

            Space child = w.Parent.Fork(eager);

            if (child != null)
            {
                M.FreeAll(hog);
                Assert.Equal((ulong)failures, k);   // it failed at every k below what it needed
                Assert.Equal(used + k, M.Frames.UsedFrames);   // and needed exactly k
                AssertContents(child, w);
                child.Destroy();
                break;
            }
            failures++;
            Assert.Equal(k, M.Frames.FreeFrames);
            Assert.Equal(before, Snapshot(w.Parent));   // same frames, same reference counts
            Assert.Equal((shared, pinned, shmRefs), (M.Frames.SharedFrames, M.Frames.PinnedFrames, w.Shm.RefCount));
            M.FreeAll(hog);
            Assert.Equal(used, M.Frames.UsedFrames);
            AssertContents(w.Parent, w);
            FrameNumber own = FrameAt(w.Parent, A + 3 * Page);
            Set(w, A + 3 * Page, (byte)(10 + k));   // Cow or not, the sole owner writes in place
            Assert.Equal(own, FrameAt(w.Parent, A + 3 * Page));
        }
        // The PML4; a PDPT, a PD and two PTs (A and C share one, D has its own)
        // low down; a PDPT, PD and PT for B; and, eagerly, the two pinned pages' copies.
        Assert.Equal(eager ? 10 : 8, failures);
        AssertContents(w.Parent, w);
        TearDown(w);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DestroyingParentAndChildren_ReturnsEveryFrame(bool eager)
    {
        World w = Build();
        Space child = Fork(w.Parent, eager);
        Space grandchild = Fork(child, eager);
        Poke(M, child, A, 50);                 // copies
        Poke(M, grandchild, B, 51);            // copies
        Poke(M, grandchild, A + 9 * Page, 52); // demand-zero in the grandchild alone
        Poke(M, child, D + Page, 53);          // shared: no copy
        Assert.Equal(53, Peek(M, w.Parent, D + Page));
        Assert.True(M.Frames.FreeFrames < M.Baseline);

        child.Destroy();
        grandchild.Destroy();
        TearDown(w);
        M.AssertNoLeaks();
    }
}
