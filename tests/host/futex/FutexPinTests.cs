using Sticky.Futex;
using Sticky.Mm;
using Sticky.Tests.Mm;
using Xunit;

namespace Sticky.Tests.Futex;

// Pins over a real FrameTable (simulated RAM). MemoryTest checks after every
// test that all frames came back and none is left pinned.
public class FutexPinTests : MemoryTest
{
    private readonly FutexTable _table = new FutexTable();
    private const ulong Space = 1;

    private FutexWaiter Wait(FutexDesign design, FrameNumber frame, ulong va, string owner = "t")
    {
        var w = new FutexWaiter();
        w.Prepare(FutexKeys.ForPrivate(design, frame, Space, va, privateOp: true), FutexOp.BitsetMatchAny, owner);
        FutexPins.Take(M.Frames, design, w);
        _table.Enqueue(w);
        return w;
    }

    // What the glue does with a wake chain.
    private int WakeAndRelease(FutexDesign design, FrameNumber frame, ulong va, int count)
    {
        int n = _table.Wake(FutexKeys.ForPrivate(design, frame, Space, va, privateOp: true), count, FutexOp.BitsetMatchAny, out FutexWaiter woken);
        for (FutexWaiter w = woken; w != null; w = w.NextInChain) FutexPins.Release(M.Frames, w);
        while (woken != null) { FutexWaiter next = woken.NextInChain; FutexTable.Finish(woken); woken = next; }
        return n;
    }

    [Fact]
    public void Sticky_WaiterPinsItsFrame_UntilWoken()
    {
        FrameNumber f = M.Allocate();
        FutexWaiter w = Wait(FutexDesign.Sticky, f, 0x1000);
        Assert.Equal(FutexPinState.Pinned, w.Pin);
        Assert.Equal(f, w.PinnedFrame);
        Assert.Equal(1u, M.Frames.PinCountOf(f));
        Assert.Equal(1, WakeAndRelease(FutexDesign.Sticky, f, 0x1000, 1));
        Assert.Equal(0u, M.Frames.PinCountOf(f));
        Assert.Equal(FutexPinState.None, w.Pin);
        Assert.True(w.PinnedFrame.IsNone);
        M.Frames.Free(f);
    }

    [Theory]
    [InlineData(FutexDesign.NoSticky)]
    [InlineData(FutexDesign.VirtKey)]
    public void OtherDesigns_PinNothing_ButTheSameCallsWork(FutexDesign design)
    {
        FrameNumber f = M.Allocate();
        FutexWaiter w = Wait(design, f, 0x1000);
        Assert.Equal(FutexPinState.NotNeeded, w.Pin);
        Assert.Equal(0UL, M.Frames.PinnedFrames);
        Assert.Equal(1, WakeAndRelease(design, f, 0x1000, 1));
        Assert.Equal(FutexPinState.None, w.Pin);
        M.Frames.Free(f);
    }

    [Fact]
    public void Sticky_SharedKey_PinsNothing()
    {
        var w = new FutexWaiter();
        w.Prepare(FutexKeys.ForShared(9, 0, 0x40), 1, "t");
        Assert.False(FutexPins.Take(M.Frames, FutexDesign.Sticky, w));
        Assert.Equal(FutexPinState.NotNeeded, w.Pin);
        FutexPins.Release(M.Frames, w);
    }

    // Linus' objection to a sticky BIT: one waiter leaving must not unstick the
    // page while another futex on it still has a waiter. A COUNT does it.
    [Fact]
    public void TwoFutexesOnOnePage_PinCount_2_Then_1_Then_0()
    {
        FrameNumber f = M.Allocate();
        Wait(FutexDesign.Sticky, f, 0x1000, "first");
        Wait(FutexDesign.Sticky, f, 0x1008, "second");
        Assert.Equal(2u, M.Frames.PinCountOf(f));
        Assert.Equal(1UL, M.Frames.PinnedFrames);
        WakeAndRelease(FutexDesign.Sticky, f, 0x1000, 1);
        Assert.Equal(1u, M.Frames.PinCountOf(f));
        Assert.True(M.Frames.IsPinned(f));
        WakeAndRelease(FutexDesign.Sticky, f, 0x1008, 1);
        Assert.Equal(0u, M.Frames.PinCountOf(f));
        M.Frames.Free(f);
    }

    [Fact]
    public void Timeout_RemovesAndReleases()
    {
        FrameNumber f = M.Allocate();
        FutexWaiter w = Wait(FutexDesign.Sticky, f, 0x1000);
        Assert.True(_table.Remove(w));            // timed out while queued: ETIMEDOUT
        FutexPins.Release(M.Frames, w);
        Assert.Equal(0u, M.Frames.PinCountOf(f));
        M.Frames.Free(f);
    }

    // The waker released the pin with the wake; the timed-out thread sees
    // Remove == false and must not release again.
    [Fact]
    public void TimeoutLosingToAWake_MustNotReleaseTwice()
    {
        FrameNumber f = M.Allocate();
        FutexWaiter w = Wait(FutexDesign.Sticky, f, 0x1000);
        WakeAndRelease(FutexDesign.Sticky, f, 0x1000, 1);
        Assert.False(_table.Remove(w));
        Assert.Throws<System.InvalidOperationException>(() => FutexPins.Release(M.Frames, w));
        Assert.Equal(0u, M.Frames.PinCountOf(f));
        M.Frames.Free(f);
    }

    [Fact]
    public void DoubleTake_IsABug()
    {
        FrameNumber f = M.Allocate();
        FutexWaiter w = Wait(FutexDesign.Sticky, f, 0x1000);
        Assert.Throws<System.InvalidOperationException>(() => FutexPins.Take(M.Frames, FutexDesign.Sticky, w));
        Assert.Equal(1u, M.Frames.PinCountOf(f));
        _table.Remove(w);
        FutexPins.Release(M.Frames, w);
        M.Frames.Free(f);
    }

    // A process exits (its PTE drops the last reference) while a waiter is
    // still queued: the frame stays, ownerless, until the waiter's pin goes.
    [Fact]
    public void ExitWithQueuedWaiter_FrameIsFreedByTheLastUnpin()
    {
        FrameNumber f = M.Allocate();
        FutexWaiter w = Wait(FutexDesign.Sticky, f, 0x1000);
        Assert.False(M.Frames.Release(f));
        Assert.Equal(FrameState.Used, M.Frames.StateOf(f));
        Assert.True(_table.Remove(w));
        Assert.True(FutexPins.Release(M.Frames, w));
        Assert.Equal(FrameState.Free, M.Frames.StateOf(f));
    }

    // ---- requeue moves pins ------------------------------------------------

    private FutexRequeueResult RequeueAndMovePins(FutexDesign design, in FutexKey from, in FutexKey to, int nrWake, int nrRequeue)
    {
        FutexRequeueResult r = _table.Requeue(from, to, nrWake, nrRequeue);
        for (FutexWaiter w = r.Requeued; w != null; w = w.NextInChain) FutexPins.MoveAfterRequeue(M.Frames, design, w);
        for (FutexWaiter w = r.Woken; w != null; w = w.NextInChain) FutexPins.Release(M.Frames, w);
        return r;
    }

    private static FutexKey Key(FrameNumber f, ulong va) => FutexKeys.ForPrivate(FutexDesign.Sticky, f, Space, va, privateOp: true);

    [Fact]
    public void Requeue_MovesPinsToTheTargetFrame()
    {
        FrameNumber page1 = M.Allocate(), page2 = M.Allocate();
        FutexWaiter a = Wait(FutexDesign.Sticky, page1, 0x1000, "a");
        FutexWaiter b = Wait(FutexDesign.Sticky, page1, 0x1004, "b");
        Assert.Equal(2u, M.Frames.PinCountOf(page1));

        RequeueAndMovePins(FutexDesign.Sticky, Key(page1, 0x1000), Key(page2, 0x2000), 0, 1);
        Assert.Equal(1u, M.Frames.PinCountOf(page1));
        Assert.Equal(1u, M.Frames.PinCountOf(page2));
        Assert.Equal(page2, a.PinnedFrame);

        RequeueAndMovePins(FutexDesign.Sticky, Key(page1, 0x1004), Key(page2, 0x2000), 0, 1);
        Assert.Equal(0u, M.Frames.PinCountOf(page1));
        Assert.Equal(2u, M.Frames.PinCountOf(page2));
        Assert.Equal(page2, b.PinnedFrame);

        Assert.Equal(2, WakeAndRelease(FutexDesign.Sticky, page2, 0x2000, int.MaxValue));
        Assert.Equal(0u, M.Frames.PinCountOf(page2));
        M.Frames.Free(page1);
        M.Frames.Free(page2);
    }

    [Fact]
    public void Requeue_WithinOnePage_KeepsTheSinglePin()
    {
        FrameNumber f = M.Allocate();
        FutexWaiter w = Wait(FutexDesign.Sticky, f, 0x1000);
        _table.Requeue(Key(f, 0x1000), Key(f, 0x1010), 0, 1);
        FutexPins.PlanRequeue(FutexDesign.Sticky, w, out FrameNumber unpin, out FrameNumber pin);
        Assert.True(unpin.IsNone);
        Assert.True(pin.IsNone);
        Assert.False(FutexPins.MoveAfterRequeue(M.Frames, FutexDesign.Sticky, w));
        Assert.Equal(1u, M.Frames.PinCountOf(f));
        Assert.Equal(1, WakeAndRelease(FutexDesign.Sticky, f, 0x1010, 1));
        Assert.Equal(0u, M.Frames.PinCountOf(f));
        M.Frames.Free(f);
    }

    [Fact]
    public void Requeue_WakesSomeAndMovesTheRest_PinsFollow()
    {
        FrameNumber page1 = M.Allocate(), page2 = M.Allocate();
        for (int i = 0; i < 4; i++) Wait(FutexDesign.Sticky, page1, 0x1000, "t" + i);
        Assert.Equal(4u, M.Frames.PinCountOf(page1));
        FutexRequeueResult r = RequeueAndMovePins(FutexDesign.Sticky, Key(page1, 0x1000), Key(page2, 0x2000), 1, int.MaxValue);
        Assert.Equal((1, 3), (r.WokenCount, r.RequeuedCount));
        Assert.Equal(0u, M.Frames.PinCountOf(page1));
        Assert.Equal(3u, M.Frames.PinCountOf(page2));
        WakeAndRelease(FutexDesign.Sticky, page2, 0x2000, int.MaxValue);
        M.Frames.Free(page1);
        M.Frames.Free(page2);
    }

    [Fact]
    public void Requeue_FromPrivateToShared_DropsThePin_AndBackTakesOne()
    {
        FrameNumber f = M.Allocate();
        FutexWaiter w = Wait(FutexDesign.Sticky, f, 0x1000);
        FutexKey shared = FutexKeys.ForShared(4, 0, 0x80);
        RequeueAndMovePins(FutexDesign.Sticky, Key(f, 0x1000), shared, 0, 1);
        Assert.Equal(0u, M.Frames.PinCountOf(f));
        Assert.Equal(FutexPinState.NotNeeded, w.Pin);

        RequeueAndMovePins(FutexDesign.Sticky, shared, Key(f, 0x1000), 0, 1);
        Assert.Equal(1u, M.Frames.PinCountOf(f));
        Assert.Equal(FutexPinState.Pinned, w.Pin);
        WakeAndRelease(FutexDesign.Sticky, f, 0x1000, 1);
        M.Frames.Free(f);
    }

    [Fact]
    public void Requeue_UnderNoSticky_MovesNoPins()
    {
        FrameNumber page1 = M.Allocate(), page2 = M.Allocate();
        Wait(FutexDesign.NoSticky, page1, 0x1000);
        RequeueAndMovePins(FutexDesign.NoSticky,
            FutexKeys.ForPrivate(FutexDesign.NoSticky, page1, Space, 0x1000, privateOp: true),
            FutexKeys.ForPrivate(FutexDesign.NoSticky, page2, Space, 0x2000, privateOp: true), 0, 1);
        Assert.Equal(0UL, M.Frames.PinnedFrames);
        WakeAndRelease(FutexDesign.NoSticky, page2, 0x2000, 1);
        M.Frames.Free(page1);
        M.Frames.Free(page2);
    }

    [Fact]
    public void MoveAfterRequeue_WithoutTake_IsABug()
    {
        var w = new FutexWaiter();
        w.Prepare(FutexKeys.ForShared(1, 0, 0), 1, "t");
        Assert.Throws<System.InvalidOperationException>(() => FutexPins.MoveAfterRequeue(M.Frames, FutexDesign.Sticky, w));
    }
}
