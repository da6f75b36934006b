using System;
using System.Collections.Generic;
using System.Linq;
using Sticky.Mm;
using Xunit;
using static Sticky.Tests.Mm.ForkHelpers;
using Space = Sticky.Mm.AddressSpace<Sticky.Tests.Mm.SimulatedMemory, Sticky.Tests.Mm.RecordingTlb>;

namespace Sticky.Tests.Mm;

// ITlb's contract with SMP in mind: other CPUs may keep a stale translation
// until Flush, so every operation flushes before it frees or reuses a frame it
// unmapped, and before it returns; and a walk that changes many entries
// flushes once, not once per page (one round of shootdown IPIs).
public unsafe class TlbFlushTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong Data = 0x40_0000;

    // What the frame table looked like at each Flush.
    private sealed class Snapshots
    {
        public readonly List<(ulong free, uint refs)> AtFlush = new();
    }

    private readonly struct SnapshotTlb : ITlb
    {
        private readonly Snapshots _s;
        private readonly Func<(ulong, uint)> _look;
        public SnapshotTlb(Snapshots s, Func<(ulong, uint)> look) { _s = s; _look = look; }
        public void InvalidatePage(VirtualAddress page) { }
        public void InvalidateAll() { }
        public void Flush() => _s.AtFlush.Add(_look());
    }

    private Space Filled(int pages)
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Data), (ulong)pages * Page, Protection.ReadWrite));
        for (int i = 0; i < pages; i++) Poke(M, s, Data + (ulong)i * Page, (byte)i);
        return s;
    }

    [Fact]
    public void Munmap_FlushesBeforeItReleasesTheFrames()
    {
        var snaps = new Snapshots();
        var s = AddressSpace<SimulatedMemory, SnapshotTlb>.Create(M.Ram, new SnapshotTlb(snaps, () => (M.Frames.FreeFrames, 0u)),
                                                                  M.Frames, FrameNumber.None);
        s.AddRegion(At(Data), 3 * Page, Protection.ReadWrite);
        for (ulong i = 0; i < 3; i++) Assert.Equal(FaultVerdict.Handled, s.ResolvePage(At(Data + i * Page), true, out _));
        ulong free = M.Frames.FreeFrames;

        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(Data), 3 * Page));

        Assert.Equal(new[] { (free, 0u) }, snaps.AtFlush);        // one flush, the frames still owned
        Assert.Equal(free + 3, M.Frames.FreeFrames);              // released after it
        s.Destroy();
    }

    [Fact]
    public void Munmap_OfManyPages_FlushesOncePerLeafTable()
    {
        var s = Filled(100);
        M.TlbLog.Clear();
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(Data), 100 * Page));
        Assert.Equal(1, M.TlbLog.FullFlushes);                    // 100 pages of one leaf table: all at once
        Assert.Equal(1, M.TlbLog.Flushes);                        // one round, not one per page
        Assert.Equal(TlbOp.Flush, M.TlbLog.Events.Last().Op);
        s.Destroy();
    }

    [Fact]
    public void CowBreak_FlushesBeforeTheOldFrameLosesItsOwner()
    {
        var snaps = new Snapshots();
        FrameNumber shared = FrameNumber.None;
        var parent = AddressSpace<SimulatedMemory, SnapshotTlb>.Create(M.Ram,
            new SnapshotTlb(snaps, () => (0, shared.IsNone ? 0u : M.Frames.RefCountOf(shared))), M.Frames, FrameNumber.None);
        parent.AddRegion(At(Data), Page, Protection.ReadWrite);
        Assert.Equal(FaultVerdict.Handled, parent.ResolvePage(At(Data), true, out shared));
        var child = parent.Fork(copyPinnedEagerly: false);
        snaps.AtFlush.Clear();

        Assert.Equal(FaultVerdict.Handled, parent.ResolvePage(At(Data), true, out FrameNumber copy));

        Assert.NotEqual(shared, copy);
        Assert.Equal(new[] { (0UL, 2u) }, snaps.AtFlush);         // flushed while both still owned it
        Assert.Equal(1u, M.Frames.RefCountOf(shared));            // then the parent let go
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void Mprotect_FlushesBeforeItReturns()
    {
        var s = Filled(4);
        M.TlbLog.Clear();
        Assert.Equal(RegionResult.Ok, s.ProtectRange(At(Data), 4 * Page, Protection.Read));
        Assert.Equal(TlbOp.Flush, M.TlbLog.Events.Last().Op);
        Assert.Equal(1, M.TlbLog.Flushes);
        s.Destroy();
    }

    [Fact]
    public void Fork_WriteProtectsEveryPage_AndFlushesOnce()
    {
        var s = Filled(40);
        M.TlbLog.Clear();
        var child = Fork(s);
        Assert.Equal(1, M.TlbLog.FullFlushes);                    // the walk notes all at once
        Assert.Equal(1, M.TlbLog.Flushes);
        Assert.Equal(TlbOp.Flush, M.TlbLog.Events.Last().Op);     // after every write-protect
        s.Destroy();
        child.Destroy();
    }
}
