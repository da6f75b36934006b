using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;

namespace Sticky.Io
{
    // An eventfd's counter (eventfd2): a write adds, a read takes the whole
    // count (or 1 in semaphore mode) and blocks while it is 0; a write that
    // would pass 2^64 - 2 blocks. Scheduler lock, like the pipes.
    public sealed unsafe class EventCounter
    {
        private const ulong Max = 0xFFFF_FFFF_FFFF_FFFE;

        private ulong _value;
        private readonly bool _semaphore;
        private WaitQueue _wait = new WaitQueue();

        public EventCounter(ulong initial, bool semaphore) { _value = initial; _semaphore = semaphore; }

        public long Read(out ulong value, bool nonblock)
        {
            value = 0;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (_value > 0)
                {
                    value = _semaphore ? 1 : _value;
                    _value -= value;
                    Scheduler.WakeLocked(_wait, int.MaxValue);
                    PollWait.WakeLocked();
                    Scheduler.Unlock(flags);
                    return 8;
                }
                if (nonblock) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                if (Scheduler.WaitLocked(_wait, 0, flags) == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
            }
        }

        public long Write(ulong add, bool nonblock)
        {
            if (add == ulong.MaxValue) return -Errno.EINVAL;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (Max - _value >= add)
                {
                    _value += add;
                    Scheduler.WakeLocked(_wait, int.MaxValue);
                    PollWait.WakeLocked();
                    Scheduler.Unlock(flags);
                    return 8;
                }
                if (nonblock) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                if (Scheduler.WaitLocked(_wait, 0, flags) == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
            }
        }

        // Scheduler lock held.
        public int PollLocked() => (_value > 0 ? PollWait.Readable : 0) | (_value < Max ? PollWait.Writable : 0);

        // The file going away (one file per counter: dup shares the file).
        public void Release()
        {
            KernelHeap.Free(_wait);
            KernelHeap.Free(this);
        }
    }
}
