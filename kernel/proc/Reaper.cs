using Sticky.Debug;
using Sticky.Lib;
using Sticky.Mm;

namespace Sticky.Proc
{
    // Frees dead threads: their kernel stack, FPU area, futex waiter and the
    // Thread itself. A thread cannot free its own stack, and the CPU that
    // switches away from it holds the scheduler lock with interrupts off, where
    // freeing a kernel stack cannot happen (its unmapping must reach every other
    // CPU's TLB, and they may be spinning on that lock). So the scheduler hands
    // each dead thread over here once its CPU is off its stack (AfterSwitch),
    // and this kernel thread frees it holding no lock.
    //
    // A thread's resources are back only once the reaper has run, so whoever
    // counts them (the accounting line the runner's leak check reads) waits
    // for it first: WaitUntilIdle.
    public static unsafe class Reaper
    {
        // Guarded by the scheduler lock.
        private static Thread _dead;          // handed over, not yet freed
        private static int _dying;            // exited (Scheduler.Exit) and not yet freed
        private static WaitQueue _work, _idle;
        private static ulong _reaped;

        public static ulong Reaped => _reaped;

        public static void Start()
        {
            _work = new WaitQueue();
            _idle = new WaitQueue();
            if (Scheduler.Spawn("reaper", &Loop, 0, service: true) == null) Panic.Halt("no memory for the reaper thread");
        }

        // Scheduler lock held: the calling thread is about to die.
        public static void DyingLocked() => _dying++;

        // Until every thread that has exited is freed, or the deadline (monotonic ns).
        public static void WaitUntilIdle(ulong deadlineNs)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (_dying == 0) { Scheduler.Unlock(flags); return; }
                if (Scheduler.WaitLocked(_idle, deadlineNs, flags) != WakeReason.Woken) return;
            }
        }

        // Scheduler lock held: `t` is dead and no CPU runs on its stack any more.
        public static void HandOverLocked(Thread t)
        {
            t.NextRunnable = _dead;
            _dead = t;
            Scheduler.WakeLocked(_work, 1);
        }

        private static void Loop(ulong _)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (_dead == null) { Scheduler.WaitLocked(_work, 0, flags); continue; }
                Thread batch = _dead;
                _dead = null;
                Scheduler.Unlock(flags);
                int freed = 0;
                while (batch != null)
                {
                    Thread t = batch;
                    batch = t.NextRunnable;
                    if (Log.On(Subsystem.Sched, Level.Debug)) Log.Write(Subsystem.Sched, Level.Debug, "reaped", "tid", t.Id);
                    Free(t);
                    freed++;
                }
                _reaped += (ulong)freed;
                flags = Scheduler.Lock();
                _dying -= freed;
                if (_dying == 0) Scheduler.WakeLocked(_idle, int.MaxValue);
                Scheduler.Unlock(flags);
            }
        }

        // Also for a thread that was created but never started.
        public static void Free(Thread t)
        {
            if (t.FutexWaiter != null) KernelHeap.Free(t.FutexWaiter);
            if (t.FpuState != null) KernelHeap.Free(t.FpuState);
            KernelStackAllocator.Free(t.StackTop);
            KernelHeap.Free(t);
        }
    }
}
