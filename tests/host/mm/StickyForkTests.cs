using System.Collections.Generic;
using System.Linq;
using Sticky.Mm;
using Xunit;
using static Sticky.Tests.Mm.ForkHelpers;
using Space = Sticky.Mm.AddressSpace<Sticky.Tests.Mm.SimulatedMemory, Sticky.Tests.Mm.RecordingTlb>;

namespace Sticky.Tests.Mm;

// Fork(copyPinnedEagerly: true), the sticky futex design: a private page whose
// frame is pinned (a futex waiter is queued on it) is copied for the child at
// fork, so the parent keeps that frame for good. And the nosticky contrast.
public unsafe class StickyForkTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong Data = 0x40_0000;

    private Space ParentWithPattern(out FrameNumber frame, Protection p = Protection.ReadWrite)
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Data), 2 * Page, Protection.ReadWrite));
        Poke(M, s, Data, 0);
        Poke(M, s, Data + Page, 77);
        frame = FrameAt(s, Data);
        for (int i = 0; i < (int)Page; i++) M.Bytes(frame)[i] = (byte)(i * 13 + 5);
        if (p != Protection.ReadWrite) Assert.Equal(RegionResult.Ok, s.ProtectRange(At(Data), 2 * Page, p));
        return s;
    }

    private int InvalidationsOf(ulong page) =>
        M.TlbLog.Events.Count(e => e == new TlbEvent(TlbOp.InvalidatePage, page));

    [Fact]
    public void PinnedPage_IsCopiedForTheChild_AndTheParentKeepsItsFrameWritable()
    {
        var parent = ParentWithPattern(out FrameNumber pinned);
        PageTableEntry before = Pte(parent, Data);
        M.Frames.Pin(pinned);
        M.TlbLog.Clear();

        var child = Fork(parent, eager: true);

        PageTableEntry p = Pte(parent, Data), c = Pte(child, Data);
        Assert.Equal(pinned, p.Frame);
        Assert.Equal(before.Raw, p.Raw);                       // exactly what it was
        Assert.True(p.IsWritable);
        Assert.False(p.IsCow);
        Assert.Equal(1u, M.Frames.RefCountOf(pinned));
        Assert.Equal(1u, M.Frames.PinCountOf(pinned));

        Assert.NotEqual(pinned, c.Frame);
        Assert.Equal(1u, M.Frames.RefCountOf(c.Frame));
        Assert.False(c.IsCow);
        Assert.Equal(child.RegionAt(0).LeafFlags, c.Flags & ~(PageFlags.Accessed | PageFlags.Dirty));
        for (int i = 0; i < (int)Page; i++) Assert.Equal((byte)(i * 13 + 5), M.Bytes(c.Frame)[i]);

        // Write-protected (one invalidation, one flush for the whole fork), then
        // given its write permission back without one (more permissive: no flush).
        Assert.Equal(1, InvalidationsOf(Data));
        Assert.Equal(1, M.TlbLog.Flushes);

        // The unpinned page beside it is shared copy-on-write as usual.
        Assert.True(Pte(parent, Data + Page).IsCow);
        Assert.Equal(FrameAt(parent, Data + Page), FrameAt(child, Data + Page));

        // The parent's writes stay on the pinned frame (its waiters' key) and
        // cost nothing; the child never sees them.
        ulong used = M.Frames.UsedFrames;
        Poke(M, parent, Data, 200);
        Assert.Equal(used, M.Frames.UsedFrames);
        Assert.Equal(pinned, FrameAt(parent, Data));
        Assert.Equal(5, Peek(M, child, Data));
        Poke(M, child, Data, 201);
        Assert.Equal(200, Peek(M, parent, Data));

        M.Frames.Unpin(pinned);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void EagerCopy_HappensWhileTheParentsPteIsWriteProtected_AfterAFlush()
    {
        var probe = new PteProbe();
        var parent = AddressSpace<ProbingMemory, ProbingTlb>.Create(new ProbingMemory(M.Ram, probe), new ProbingTlb(probe),
                                                                   M.Frames, FrameNumber.None);
        probe.Space = parent;
        parent.AddRegion(At(Data), Page, Protection.ReadWrite);
        Assert.Equal(FaultVerdict.Handled, parent.ResolvePage(At(Data), forWrite: true, out FrameNumber frame));
        M.Frames.Pin(frame);
        probe.Seen.Clear();
        probe.Frame = frame;

        var child = parent.Fork(copyPinnedEagerly: true);

        // Each TLB call, and the copy's read of the pinned frame, with the
        // parent's PTE as it was then: write-protected, flushed (on every CPU),
        // copied, all while read-only; the final flush finds it writable again.
        Assert.Equal(new[] { ("invalidate", Data, false), ("flush", Data, false), ("copy", Data, false), ("flush", Data, true) },
                     probe.Seen);
        child.Table.GetEntry(At(Data), out PageTableEntry copy);
        Assert.True(copy.IsPresent);
        Assert.NotEqual(frame, copy.Frame);
        M.Frames.Unpin(frame);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void ManyPinnedPages_OneFlushPerBatchOfSixteen()
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Data), 40 * Page, Protection.ReadWrite));
        var pinned = new List<FrameNumber>();
        for (ulong i = 0; i < 40; i++)
        {
            Poke(M, s, Data + i * Page, (byte)i);
            if (i % 2 == 0) { pinned.Add(FrameAt(s, Data + i * Page)); M.Frames.Pin(pinned[^1]); }
        }
        M.TlbLog.Clear();
        var child = Fork(s, eager: true);
        Assert.Equal(2, M.TlbLog.Flushes);                      // 20 pinned pages: a batch of 16, then the rest with the COW ones
        for (ulong i = 0; i < 40; i++)
        {
            Assert.Equal((byte)i, Peek(M, child, Data + i * Page));
            Assert.Equal(i % 2 == 1, Pte(s, Data + i * Page).IsCow);   // pinned pages stay the parent's, writable
        }
        foreach (FrameNumber f in pinned) M.Frames.Unpin(f);
        s.Destroy();
        child.Destroy();
    }

    [Fact]
    public void ReadOnlyPinnedPage_IsCopiedWithoutTouchingTheParent()
    {
        var parent = ParentWithPattern(out FrameNumber pinned, Protection.Read);
        PageTableEntry before = Pte(parent, Data);
        M.Frames.Pin(pinned);
        M.TlbLog.Clear();

        var child = Fork(parent, eager: true);

        Assert.Equal(0, InvalidationsOf(Data));               // nothing to write-protect
        Assert.Equal(before.Raw, Pte(parent, Data).Raw);
        PageTableEntry c = Pte(child, Data);
        Assert.NotEqual(pinned, c.Frame);
        Assert.False(c.IsWritable);
        Assert.False(c.IsCow);                                // its own frame: an mprotect(RW) + write needs no copy
        child.ProtectRange(At(Data), Page, Protection.ReadWrite);
        ulong used = M.Frames.UsedFrames;
        Poke(M, child, Data, 1);
        Assert.Equal(used, M.Frames.UsedFrames);
        Assert.Equal(5, M.Bytes(pinned)[0]);
        M.Frames.Unpin(pinned);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void PinnedPage_AlreadyCowSharedWithAThirdSpace_StaysCowInTheParent()
    {
        var grandparent = ParentWithPattern(out FrameNumber frame);
        var parent = Fork(grandparent);
        M.Frames.Pin(frame);
        PageTableEntry before = Pte(parent, Data);

        var child = Fork(parent, eager: true);

        Assert.Equal(before.Raw, Pte(parent, Data).Raw);
        Assert.True(Pte(parent, Data).IsCow);
        Assert.Equal(2u, M.Frames.RefCountOf(frame));         // grandparent and parent, not the child
        Assert.NotEqual(frame, FrameAt(child, Data));
        Assert.False(Pte(child, Data).IsCow);
        Assert.Equal(5, Peek(M, child, Data));
        M.Frames.Unpin(frame);
        foreach (Space s in new[] { grandparent, parent, child }) s.Destroy();
    }

    [Fact]
    public void PinnedSharedMemory_StaysShared_EvenWithEagerCopy()
    {
        var shm = new SharedMemoryObject(1);
        var parent = M.NewSpace();
        parent.AddSharedRegion(At(Data), Page, Protection.ReadWrite, shm, 0);
        Poke(M, parent, Data, 1);
        FrameNumber frame = shm.FrameOf(0);
        M.Frames.Pin(frame);
        var child = Fork(parent, eager: true);
        Assert.Equal(frame, FrameAt(child, Data));
        Assert.True(Pte(child, Data).IsWritable);
        M.Frames.Unpin(frame);
        parent.Destroy();
        child.Destroy();
        shm.Release(M.Frames);
    }

    [Fact]
    public void WithoutEagerCopy_APinnedPageIsCowShared_AndTheParentsWriteLeavesItsWaiters()
    {
        // nosticky, the 2002 bug: the waiter is queued on `pinned`, the parent's
        // next write moves the parent to a copy, and wakes computed from the
        // parent's new frame can no longer find the waiter.
        var parent = ParentWithPattern(out FrameNumber pinned);
        M.Frames.Pin(pinned);
        var child = Fork(parent, eager: false);
        Assert.Equal(pinned, FrameAt(child, Data));
        Assert.True(Pte(parent, Data).IsCow);
        Poke(M, parent, Data, 1);
        Assert.NotEqual(pinned, FrameAt(parent, Data));
        M.Frames.Unpin(pinned);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void StickyFutexWait_BreaksCowFirst_SoTheEagerForkKeepsTheWaiterWithItsProcess()
    {
        // The whole sticky sequence on one page: fork (COW-shared), the parent's
        // FUTEX_WAIT resolves the page for writing (its own frame) and pins it,
        // a second fork copies it eagerly, and the parent's next write stays put.
        var parent = ParentWithPattern(out FrameNumber original);
        var first = Fork(parent, eager: true);
        Assert.Equal(FaultVerdict.Handled, parent.ResolvePage(At(Data + 8), forWrite: true, out FrameNumber key));
        Assert.NotEqual(original, key);                        // COW broken before the pin
        Assert.Equal(original, FrameAt(first, Data));
        M.Frames.Pin(key);
        var second = Fork(parent, eager: true);
        Poke(M, parent, Data, 9);
        Assert.Equal(key, FrameAt(parent, Data));
        Assert.Equal(5, Peek(M, second, Data));
        M.Frames.Unpin(key);
        foreach (Space s in new[] { parent, first, second }) s.Destroy();
    }
}

// Records, at every TLB call and whenever the frame at `Frame` is mapped for
// reading (the eager copy), whether the probed space's PTE for the page at
// Watched was writable at that moment.
public sealed unsafe class PteProbe
{
    public AddressSpace<ProbingMemory, ProbingTlb> Space;
    public readonly List<(string call, ulong page, bool writable)> Seen = new();
    public FrameNumber Frame = FrameNumber.None;
    public ulong Watched = 0x40_0000;
    private bool _inside;                   // a page-table walk of our own maps memory too

    private bool WatchedIsWritable()
    {
        _inside = true;
        Space.Table.GetEntry(new VirtualAddress(Watched), out PageTableEntry pte);
        _inside = false;
        return pte.IsWritable;
    }

    public void Record(VirtualAddress page) => Seen.Add(("invalidate", page.Value, WatchedIsWritable()));
    public void RecordAll() => Seen.Add(("invalidate-all", Watched, WatchedIsWritable()));
    public void RecordFlush() => Seen.Add(("flush", Watched, WatchedIsWritable()));

    public void Mapped(PhysicalAddress a)
    {
        if (_inside || Space == null || Frame.IsNone || a.Value != Frame.Address.Value) return;
        Seen.Add(("copy", Watched, WatchedIsWritable()));
    }
}

public readonly unsafe struct ProbingMemory : IPhysicalMemory
{
    private readonly SimulatedMemory _ram;
    private readonly PteProbe _probe;
    public ProbingMemory(SimulatedMemory ram, PteProbe probe) { _ram = ram; _probe = probe; }
    public byte* Map(PhysicalAddress address) { _probe.Mapped(address); return _ram.Map(address); }
}

public readonly struct ProbingTlb : ITlb
{
    private readonly PteProbe _probe;
    public ProbingTlb(PteProbe probe) { _probe = probe; }
    public void InvalidatePage(VirtualAddress page) => _probe.Record(page);
    public void InvalidateAll() => _probe.RecordAll();
    public void Flush() => _probe.RecordFlush();
}
