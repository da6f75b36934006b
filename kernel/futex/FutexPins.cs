using Sticky.Mm;

namespace Sticky.Futex
{
    // The sticky design's frame pins: a queued waiter on a private physical key
    // holds one pin (FrameTable pin COUNT, so two waiters on one page keep it
    // pinned until both are gone) on its key's frame. While pinned, fork copies
    // the page eagerly instead of sharing it COW, so the waiters' process keeps
    // the frame they are queued on; and the frame cannot be freed under them.
    //
    // Every path calls these the same way whatever the design (they decide
    // whether a pin is needed), exactly once each, with the frame lock held:
    //   WAIT:     Take after Prepare, before Enqueue (same bucket-lock section)
    //   woken:    Release for each waiter on the wake chain
    //   timeout, signal, exit:  Release after Remove, only if Remove returned
    //             true (a waiter that lost the race to a waker was released by it)
    //   requeue:  MoveAfterRequeue for each waiter on result.Requeued
    // A second Take or a second Release is a broken invariant and throws.
    public static class FutexPins
    {
        // Returns true if a pin was taken.
        public static bool Take(FrameTable frames, FutexDesign design, FutexWaiter w)
        {
            if (w.Pin != FutexPinState.None) throw new System.InvalidOperationException("FutexPins.Take: waiter already holds its pin state (double take)");
            if (!FutexKeys.PinsFrame(design, w.Key))
            {
                w.Pin = FutexPinState.NotNeeded;
                return false;
            }
            FrameNumber frame = w.Key.Frame;
            frames.Pin(frame);
            w.PinnedFrame = frame;
            w.Pin = FutexPinState.Pinned;
            return true;
        }

        // Returns true if that unpin freed the frame (its last owner had gone).
        public static bool Release(FrameTable frames, FutexWaiter w)
        {
            switch (w.Pin)
            {
                case FutexPinState.NotNeeded:
                    w.Pin = FutexPinState.None;
                    return false;
                case FutexPinState.Pinned:
                    FrameNumber frame = w.PinnedFrame;
                    w.PinnedFrame = FrameNumber.None;
                    w.Pin = FutexPinState.None;
                    return frames.Unpin(frame);
                default:
                    throw new System.InvalidOperationException("FutexPins.Release: waiter holds no pin (double release?)");
            }
        }

        // What a requeue means for a waiter's pin, now that its Key is the target
        // key: the frame to unpin (its old pin, unless the new key pins the same
        // frame) and the frame to pin (the new key's, under Sticky, unless already
        // held). FrameNumber.None for "nothing". Pure: the glue may log or check it.
        public static void PlanRequeue(FutexDesign design, FutexWaiter w, out FrameNumber unpin, out FrameNumber pin)
        {
            FrameNumber old = w.Pin == FutexPinState.Pinned ? w.PinnedFrame : FrameNumber.None;
            FrameNumber wanted = FutexKeys.PinsFrame(design, w.Key) ? w.Key.Frame : FrameNumber.None;
            if (old == wanted) { unpin = FrameNumber.None; pin = FrameNumber.None; return; }
            unpin = old;
            pin = wanted;
        }

        // Applies PlanRequeue: pins the new frame first, then unpins the old one.
        // The target frame must be owned by the waiters' process alone (the glue
        // broke COW on the requeue target, see FutexKeys.BreaksCowBeforeWait).
        // Returns true if the unpin freed the old frame.
        public static bool MoveAfterRequeue(FrameTable frames, FutexDesign design, FutexWaiter w)
        {
            if (w.Pin == FutexPinState.None) throw new System.InvalidOperationException("FutexPins.MoveAfterRequeue: waiter never took its pin");
            PlanRequeue(design, w, out FrameNumber unpin, out FrameNumber pin);
            if (!pin.IsNone)
            {
                frames.Pin(pin);
                w.PinnedFrame = pin;
                w.Pin = FutexPinState.Pinned;
            }
            else if (!unpin.IsNone)
            {
                w.PinnedFrame = FrameNumber.None;
                w.Pin = FutexPinState.NotNeeded;
            }
            return !unpin.IsNone && frames.Unpin(unpin);
        }
    }
}
