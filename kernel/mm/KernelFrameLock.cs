using Sticky.Sync;

namespace Sticky.Mm
{
    // The frame lock: page faults allocate with interrupts off, syscalls with
    // them on, and a timer tick may switch threads anywhere, so every change
    // to the frame table runs under one IRQ-safe lock. It is the innermost
    // lock: nothing is taken while holding it.
    public sealed unsafe partial class FrameTable
    {
        private static SpinLock _lock;

        static partial void Lock(ref ulong state) { state = _lock.AcquireIrqSave(); }
        static partial void Unlock(ulong state) { _lock.ReleaseIrqRestore(state); }
    }
}
