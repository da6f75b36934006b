using Sticky.Sync;

namespace Sticky.Mm
{
    // The shared-memory lock (see SharedMemoryObject): one for every object,
    // IRQ-safe like the frame lock it is taken outside of. Held for a count
    // change or one page's commit.
    public sealed partial class SharedMemoryObject
    {
        private static SpinLock _lock;

        static partial void Lock(ref ulong state) { state = _lock.AcquireIrqSave(); }
        static partial void Unlock(ulong state) { _lock.ReleaseIrqRestore(state); }
    }
}
