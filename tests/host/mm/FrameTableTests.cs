using System;
using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

public class FrameTableTests : MemoryTest
{
    [Fact]
    public void Allocate_HandsOutLowestFreeFrameWithOneOwner()
    {
        FrameNumber f = M.Allocate();
        Assert.Equal(FrameState.Used, M.Frames.StateOf(f));
        Assert.Equal(1u, M.Frames.RefCountOf(f));
        Assert.Equal(M.Baseline - 1, M.Frames.FreeFrames);
        Assert.Equal(1UL, M.Frames.UsedFrames);
        Assert.True(M.Frames.TryAllocate(out FrameNumber g));
        Assert.True(g.Value > f.Value);
        M.Frames.Free(f);
        M.Frames.Free(g);
    }

    [Fact]
    public void Free_ThenAllocate_ReusesTheSameFrame()
    {
        FrameNumber f = M.Allocate();
        M.Frames.Free(f);
        Assert.Equal(FrameState.Free, M.Frames.StateOf(f));
        Assert.Equal(f, M.Allocate());
        M.Frames.Free(f);
    }

    [Fact]
    public void Exhaustion_ReturnsFalse_AndFreeingMakesRoomAgain()
    {
        var all = M.Exhaust();
        Assert.Equal(M.Baseline, (ulong)all.Count);
        Assert.False(M.Frames.TryAllocate(out FrameNumber none));
        Assert.True(none.IsNone);
        M.Frames.Free(all[17]);
        Assert.True(M.Frames.TryAllocate(out FrameNumber again));
        Assert.Equal(all[17], again);
        M.FreeAll(all);
    }

    [Fact]
    public void DoubleFree_IsDetected()
    {
        FrameNumber f = M.Allocate();
        M.Frames.Free(f);
        Assert.Throws<InvalidOperationException>(() => M.Frames.Free(f));
        Assert.Throws<InvalidOperationException>(() => M.Frames.Release(f));
    }

    [Fact]
    public void FreeingAReservedFrame_IsDetected()
    {
        Assert.Equal(FrameState.Reserved, M.Frames.StateOf(new FrameNumber(0)));
        Assert.Throws<InvalidOperationException>(() => M.Frames.Free(new FrameNumber(0)));
        Assert.Throws<InvalidOperationException>(() => M.Frames.Free(new FrameNumber(1_000_000)));
    }

    [Fact]
    public void AddRef_MakesFrameShared_ReleaseFreesOnlyAtZero()
    {
        FrameNumber f = M.Allocate();
        M.Frames.AddRef(f);
        M.Frames.AddRef(f);
        Assert.Equal(3u, M.Frames.RefCountOf(f));
        Assert.Equal(1UL, M.Frames.SharedFrames);
        Assert.False(M.Frames.Release(f));
        Assert.False(M.Frames.Release(f));
        Assert.Equal(0UL, M.Frames.SharedFrames);
        Assert.True(M.Frames.Release(f));
        Assert.Equal(FrameState.Free, M.Frames.StateOf(f));
    }

    [Fact]
    public void Free_OfASharedFrame_IsDetected()
    {
        FrameNumber f = M.Allocate();
        M.Frames.AddRef(f);
        Assert.Throws<InvalidOperationException>(() => M.Frames.Free(f));
        M.Frames.Release(f);
        M.Frames.Release(f);
    }

    [Fact]
    public void AddRef_OfAFreeFrame_IsDetected()
    {
        FrameNumber f = M.Allocate();
        M.Frames.Free(f);
        Assert.Throws<InvalidOperationException>(() => M.Frames.AddRef(f));
        Assert.Throws<InvalidOperationException>(() => M.Frames.Pin(f));
    }

    [Fact]
    public void Pin_CountsPinnedFramesOnce_AndIsNotAReference()
    {
        FrameNumber f = M.Allocate();
        M.Frames.Pin(f);
        M.Frames.Pin(f);
        Assert.Equal(2u, M.Frames.PinCountOf(f));
        Assert.Equal(1u, M.Frames.RefCountOf(f));
        Assert.Equal(1UL, M.Frames.PinnedFrames);
        Assert.Equal(0UL, M.Frames.SharedFrames);
        M.Frames.Unpin(f);
        Assert.True(M.Frames.IsPinned(f));
        M.Frames.Unpin(f);
        Assert.Equal(0UL, M.Frames.PinnedFrames);
        M.Frames.Free(f);
    }

    [Fact]
    public void Free_OfAPinnedFrame_IsDetected()
    {
        FrameNumber f = M.Allocate();
        M.Frames.Pin(f);
        Assert.Throws<InvalidOperationException>(() => M.Frames.Free(f));
        M.Frames.Unpin(f);
        M.Frames.Free(f);
    }

    [Fact]
    public void Unpin_BelowZero_IsDetected()
    {
        FrameNumber f = M.Allocate();
        Assert.Throws<InvalidOperationException>(() => M.Frames.Unpin(f));
        M.Frames.Free(f);
    }

    [Fact]
    public void Release_OfLastOwnerWhilePinned_KeepsFrameUntilLastUnpin()
    {
        FrameNumber f = M.Allocate();
        M.Frames.Pin(f);
        Assert.False(M.Frames.Release(f));          // e.g. munmap while a futex waiter sleeps
        Assert.Equal(FrameState.Used, M.Frames.StateOf(f));
        Assert.Equal(0u, M.Frames.RefCountOf(f));
        FrameNumber other = M.Allocate();                                      // not handed out again
        Assert.NotEqual(f, other);
        M.Frames.Free(other);
        Assert.Throws<InvalidOperationException>(() => M.Frames.AddRef(f));   // nobody may map it again
        Assert.True(M.Frames.Unpin(f));
        Assert.Equal(FrameState.Free, M.Frames.StateOf(f));
    }

    [Fact]
    public void Contiguous_ReturnsAlignedRunOfUsedFrames()
    {
        Assert.True(M.Frames.TryAllocateContiguous(8, 8, out FrameNumber first));
        Assert.Equal(0UL, first.Value % 8);
        for (ulong i = 0; i < 8; i++)
            Assert.Equal(FrameState.Used, M.Frames.StateOf(new FrameNumber(first.Value + i)));
        Assert.Equal(M.Baseline - 8, M.Frames.FreeFrames);
        // The single-frame free list still works around the hole.
        FrameNumber single = M.Allocate();
        Assert.True(single.Value < first.Value || single.Value >= first.Value + 8);
        M.Frames.Free(single);
        for (ulong i = 0; i < 8; i++) M.Frames.Free(new FrameNumber(first.Value + i));
    }

    [Fact]
    public void Contiguous_SkipsFragmentedMemory_AndFailsWhenNoRunFits()
    {
        var all = M.Exhaust();
        // Free every other frame: plenty free, but no two adjacent.
        for (int i = 0; i < all.Count; i += 2) M.Frames.Free(all[i]);
        Assert.False(M.Frames.TryAllocateContiguous(2, 1, out _));
        Assert.True(M.Frames.TryAllocateContiguous(1, 1, out FrameNumber one));
        M.Frames.Free(one);
        for (int i = 1; i < all.Count; i += 2) M.Frames.Free(all[i]);
    }
}
