using Sticky.Arch;
using Sticky.Proc;

namespace Sticky.Sync
{
    // A sleeping lock for sections that may take long (fork's copy of an
    // address space) or wait for other CPUs (TLB shootdowns): a thread that
    // finds it held blocks with interrupts on, instead of spinning with them
    // off, where it could neither be preempted nor answer another CPU's IPI.
    // Only threads take it (never an interrupt handler), and only where they
    // may sleep: not while holding a spin lock.
    //
    // State: 0 free, 1 held, 2 held and someone may be waiting (Drepper's
    // "futexes are tricky" mutex #2, with the scheduler lock in the role of
    // the futex's bucket lock). Taking a free lock and releasing one nobody
    // waits for are one atomic instruction each.
    //
    // Waits are uninterruptible (a kill does not end them): the holder is
    // making progress and will release it, and every caller would otherwise
    // need a failure path.
    public sealed unsafe class Mutex
    {
        private int _state;
        private readonly WaitQueue _waiters = new WaitQueue();
        public Thread Owner;        // diagnostics (monitor, the recursion check)

        public void Acquire()
        {
            Thread self = Scheduler.Current;
            fixed (int* s = &_state)
            {
                if (Atomic.CompareExchange(s, 1, 0) != 0)
                {
                    if (Owner == self && self != null) Sticky.Debug.Panic.Halt("Mutex: taken twice by one thread");
                    while (true)
                    {
                        ulong flags = Scheduler.Lock();
                        // Marked contended before we sleep: the release that follows
                        // must take the scheduler lock to wake us, so it cannot
                        // slip in between this check and the sleep.
                        if (Atomic.Exchange(s, 2) == 0) { Scheduler.Unlock(flags); break; }
                        Scheduler.WaitUninterruptibleLocked(_waiters, flags);
                    }
                }
            }
            Owner = self;
        }

        public bool TryAcquire()
        {
            fixed (int* s = &_state)
                if (Atomic.CompareExchange(s, 1, 0) != 0) return false;
            Owner = Scheduler.Current;
            return true;
        }

        public void Release()
        {
            Owner = null;
            fixed (int* s = &_state)
            {
                if (Atomic.Exchange(s, 0) != 2) return;
            }
            ulong flags = Scheduler.Lock();
            Scheduler.WakeLocked(_waiters, 1);
            Scheduler.Unlock(flags);
        }

        public bool IsHeld => _state != 0;

        // No collector: the owner of a mutex nobody holds or waits for frees it.
        public void Free()
        {
            Sticky.Mm.KernelHeap.Free(_waiters);
            Sticky.Mm.KernelHeap.Free(this);
        }
    }
}
