using System.Collections.Generic;
using System.Linq;
using Sticky.Mm;
using Xunit;
using static Sticky.Tests.Mm.ForkHelpers;
using Space = Sticky.Mm.AddressSpace<Sticky.Tests.Mm.SimulatedMemory, Sticky.Tests.Mm.RecordingTlb>;

namespace Sticky.Tests.Mm;

// Fork, munmap and teardown walk a leaf table (512 pages) at a time: the
// results must be those of a page-by-page walk, with one TLB flush per fork
// (none if nothing was write-protected) and, for munmap, the translations
// gone before the frames are released.
public unsafe class LeafWalkTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong LeafSpan = 512 * Page;                // 2 MiB
    private const ulong Straddling = 0x60_0000 - 16 * Page;   // 16 pages below a leaf-table boundary
    private const ulong Giant = 0x4000_0000 - 4 * Page;       // across a 1 GiB (PDPT entry) boundary
    private const ulong Far = 0x7F00_0000_0000;               // under another PML4 entry
    private const ulong Shm = 0x82_0000;                      // these two in Straddling's last leaf table
    private const ulong ReadOnly = 0x84_0000;
    private const PageFlags HardwareBits = PageFlags.Accessed | PageFlags.Dirty;

    public LeafWalkTests() : base(2048) { }

    // Pages written in the parent: every 3rd page of 2 MiB + 32 pages starting
    // 16 pages below a boundary (so three leaf tables), the pages around a
    // 1 GiB boundary, two far pages, two shared pages and a read-only one.
    private Space Parent(SharedMemoryObject shm, List<ulong> touched)
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Straddling), LeafSpan + 32 * Page, Protection.ReadWrite));
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Giant), 8 * Page, Protection.ReadWrite));
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Far), 2 * Page, Protection.ReadWrite));
        Assert.Equal(RegionResult.Ok, s.AddSharedRegion(At(Shm), 2 * Page, Protection.ReadWrite, shm, 0));
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(ReadOnly), Page, Protection.Read));
        for (ulong va = Straddling; va < Straddling + LeafSpan + 32 * Page; va += 3 * Page) touched.Add(va);
        for (ulong i = 0; i < 8; i++) touched.Add(Giant + i * Page);
        touched.AddRange(new[] { Far, Far + Page, Shm, Shm + Page });
        foreach (ulong va in touched) Poke(M, s, va, (byte)(va >> 12));
        Peek(M, s, ReadOnly);
        touched.Add(ReadOnly);
        return s;
    }

    private static byte Expected(ulong va) => va == ReadOnly ? (byte)0 : (byte)(va >> 12);

    [Fact]
    public void Fork_WriteProtectsEveryPageInPlace_AndInvalidatesOnce()
    {
        var shm = new SharedMemoryObject(2);
        var touched = new List<ulong>();
        var parent = Parent(shm, touched);
        var before = touched.ToDictionary(va => va, va => Pte(parent, va));
        M.TlbLog.Clear();

        var child = Fork(parent);

        Assert.Equal(new[] { new TlbEvent(TlbOp.InvalidateAll, 0), new TlbEvent(TlbOp.Flush, 0) }, M.TlbLog.Events);
        foreach (ulong va in touched)
        {
            PageTableEntry old = before[va], p = Pte(parent, va), c = Pte(child, va);
            Assert.Equal(old.Frame, c.Frame);
            Assert.Equal(old.Frame, p.Frame);
            child.FindRegion(At(va), out Region r);
            if (r.IsShared)
            {
                Assert.Equal(old.Raw, p.Raw);
                Assert.Equal(r.LeafFlags, c.Flags);
                Assert.Equal(3u, M.Frames.RefCountOf(c.Frame));   // the object and two PTEs
                continue;
            }
            PageFlags cow = (r.LeafFlags & ~PageFlags.Writable) | PageFlags.Cow;
            Assert.Equal(cow | (old.Flags & HardwareBits), p.Flags);   // the CPU's Accessed/Dirty bits kept
            Assert.Equal(cow, c.Flags);
            Assert.Equal(2u, M.Frames.RefCountOf(c.Frame));
            Assert.Equal(Expected(va), Peek(M, child, va));
        }
        Assert.Equal((ulong)touched.Count, child.ResidentPages);
        Assert.Equal(parent.CountPresentPages(), child.CountPresentPages());
        parent.Destroy();
        child.Destroy();
        shm.Release(M.Frames);
    }

    [Fact]
    public void Fork_WithNothingToWriteProtect_DoesNotFlush()
    {
        var shm = new SharedMemoryObject(2);
        var parent = Parent(shm, new List<ulong>());
        var first = Fork(parent);
        M.TlbLog.Clear();

        var second = Fork(parent);   // every private page is Cow already, the shared ones stay writable

        Assert.Empty(M.TlbLog.Events);
        Assert.Equal(parent.ResidentPages, second.ResidentPages);
        foreach (Space s in new[] { parent, first, second }) s.Destroy();
        shm.Release(M.Frames);
    }

    [Fact]
    public void Fork_EagerCopies_InvalidateTheirPageOnce_AndFlushOnce()
    {
        var shm = new SharedMemoryObject(2);
        var touched = new List<ulong>();
        var parent = Parent(shm, touched);
        ulong[] pinned = { Straddling + 15 * Page, Straddling + 18 * Page, Giant + 4 * Page };
        foreach (ulong va in pinned) M.Frames.Pin(FrameAt(parent, va));
        M.TlbLog.Clear();

        var child = Fork(parent, eager: true);

        var pageEvents = M.TlbLog.Events.Where(e => e.Op == TlbOp.InvalidatePage).Select(e => e.Page).ToList();
        // Write-protected (one invalidation each) and flushed with the COW
        // write-protects in one round; given back writable with no
        // invalidation (a stale read-only entry only faults: ITlb).
        Assert.Equal(pinned, pageEvents);
        Assert.Equal(1, M.TlbLog.FullFlushes);
        Assert.Equal(1, M.TlbLog.Flushes);
        Assert.Equal(TlbOp.Flush, M.TlbLog.Events.Last().Op);
        foreach (ulong va in pinned)
        {
            Assert.NotEqual(FrameAt(parent, va), FrameAt(child, va));
            Assert.True(Pte(parent, va).IsWritable);
            Assert.Equal((byte)(va >> 12), Peek(M, child, va));
            M.Frames.Unpin(FrameAt(parent, va));
        }
        parent.Destroy();
        child.Destroy();
        shm.Release(M.Frames);
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

    // Pinned pages in the middle of leaf tables, after shared ones: a failed
    // eager copy leaves a half-filled child leaf table whose references must
    // already be counted for its Destroy.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fork_OutOfMemoryAtEveryAllocation_AcrossLeafTables_LeavesNothingBehind(bool eager)
    {
        var shm = new SharedMemoryObject(2);
        var touched = new List<ulong>();
        var parent = Parent(shm, touched);
        ulong[] pinned = { Straddling + 15 * Page, Straddling + 300 * Page, Giant + 4 * Page };
        foreach (ulong va in pinned) M.Frames.Pin(FrameAt(parent, va));
        int failures = 0;
        for (ulong k = 0; ; k++)
        {
            var before = Snapshot(parent);
            ulong shared = M.Frames.SharedFrames, used = M.Frames.UsedFrames;
            var hog = M.Exhaust(leave: k);

            Space child = parent.Fork(eager);

            if (child != null)
            {
                M.FreeAll(hog);
                Assert.Equal(used + k, M.Frames.UsedFrames);   // exactly what the failures needed
                foreach (ulong va in touched) Assert.Equal(Peek(M, parent, va), Peek(M, child, va));
                child.Destroy();
                break;
            }
            failures++;
            Assert.Equal(k, M.Frames.FreeFrames);
            Assert.Equal(before, Snapshot(parent));
            Assert.Equal((shared, 3UL, 2u), (M.Frames.SharedFrames, M.Frames.PinnedFrames, shm.RefCount));
            M.FreeAll(hog);
            Assert.Equal(used, M.Frames.UsedFrames);
        }
        // The PML4; low down a PDPT, two PDs (either side of 1 GiB) and five
        // leaf tables (three for Straddling, one each side of 1 GiB; Shm and
        // ReadOnly share Straddling's last); far up a PDPT, a PD and a leaf
        // table; and, eagerly, the three copies.
        Assert.Equal(eager ? 15 : 12, failures);
        foreach (ulong va in touched) Assert.Equal(Expected(va), Peek(M, parent, va));
        foreach (ulong va in pinned) M.Frames.Unpin(FrameAt(parent, va));
        parent.Destroy();
        shm.Release(M.Frames);
    }

    [Fact]
    public void Munmap_ManyPages_InvalidatesOncePerLeafTable_BeforeItsFramesAreReleased()
    {
        var log = new FrameWatch { Frames = M.Frames };
        var s = AddressSpace<SimulatedMemory, FrameWatchTlb>.Create(M.Ram, new FrameWatchTlb(log), M.Frames, FrameNumber.None);
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Straddling), LeafSpan, Protection.ReadWrite));
        // 100 pages: the last 16 of one leaf table and the first 84 of the next.
        for (ulong i = 0; i < 100; i++) Assert.Equal(FaultVerdict.Handled, s.ResolvePage(At(Straddling + i * Page), true, out _));
        ulong free = M.Frames.FreeFrames;

        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(Straddling), 100 * Page));

        // The first leaf table has 16 pages: one invalidation each; the second 84:
        // one for all. Each leaf table's flush comes before its frames are released.
        var expected = Enumerable.Range(0, 16).Select(i => ("page", Straddling + (ulong)i * Page, free))
                                 .Append(("flush", 0UL, free))
                                 .Append(("all", 0UL, free + 16)).Append(("flush", 0UL, free + 16)).ToList();
        Assert.Equal(expected, log.Events);
        Assert.Equal(free + 100, M.Frames.FreeFrames);
        Assert.Equal(0UL, s.ResidentPages);
        Assert.Equal(0UL, s.CountPresentPages());
        s.Destroy();
    }

    [Fact]
    public void Munmap_PartOfALeafTable_KeepsTheRest_AndCountsStayRight()
    {
        var shm = new SharedMemoryObject(2);
        var touched = new List<ulong>();
        var parent = Parent(shm, touched);
        var child = Fork(parent);
        ulong cut = Straddling + 10 * Page, length = 200 * Page;

        Assert.Equal(RegionResult.Ok, parent.RemoveRange(At(cut), length));

        foreach (ulong va in touched)
        {
            bool gone = va >= cut && va < cut + length;
            Assert.Equal(!gone, Pte(parent, va).IsPresent);
            Assert.Equal(gone ? 1u : va >= Shm && va < Shm + 2 * Page ? 3u : 2u, M.Frames.RefCountOf(FrameAt(child, va)));
        }
        Assert.Equal(parent.CountPresentPages(), parent.ResidentPages);
        parent.Destroy();
        child.Destroy();
        shm.Release(M.Frames);
    }
}

// Each TLB call with the free-frame count at that moment: whether frames were
// released before or after their translations went.
public sealed class FrameWatch
{
    public FrameTable Frames;
    public readonly List<(string op, ulong page, ulong free)> Events = new();
}

public readonly struct FrameWatchTlb : ITlb
{
    private readonly FrameWatch _log;
    public FrameWatchTlb(FrameWatch log) { _log = log; }
    public void InvalidatePage(VirtualAddress page) => _log.Events.Add(("page", page.Value, _log.Frames.FreeFrames));
    public void InvalidateAll() => _log.Events.Add(("all", 0, _log.Frames.FreeFrames));
    public void Flush() => _log.Events.Add(("flush", 0, _log.Frames.FreeFrames));
}
