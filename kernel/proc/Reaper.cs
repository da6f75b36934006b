using Sticky.Debug;
using Sticky.Lib;
using Sticky.Mm;

namespace Sticky.Proc
{
    // Frees dead threads: their kernel stack, FPU area, futex waiter and the
    // Thread itself. A thread cannot free its own stack; the CPU that switched
    // away from it does, right after the switch (Scheduler.AfterSwitch), when
    // no CPU runs on that stack any more. Nothing here waits for other CPUs
    // (a freed stack's slot is reused only after a TLB purge, done when slots
    // are allocated: KernelStackAllocator), so it runs under the scheduler lock.
    //
    // Between a thread's exit and that switch (on another CPU, maybe) its
    // resources are still in use; whoever counts them (the accounting line the
    // runner's leak check reads) waits until no thread is in between:
    // WaitUntilIdle.
    public static unsafe class Reaper
    {
        // Guarded by the scheduler lock.
        private static int _dying;            // exited (Scheduler.Exit) and not yet freed
        private static WaitQueue _idle;
        private static ulong _reaped;

        public static ulong Reaped => _reaped;

        public static void Init() => _idle = new WaitQueue();

        // Scheduler lock held: `t` is committed to die (once; before anything
        // that lets another CPU count resources, such as its process becoming
        // a zombie its parent can reap).
        public static void DyingLocked(Thread t)
        {
            if (t.Dying) return;
            t.Dying = true;
            _dying++;
        }

        // Scheduler lock held, on the CPU that just left the dead thread `t`.
        public static void FreeLocked(Thread t)
        {
            if (Log.On(Subsystem.Sched, Level.Debug)) Log.Write(Subsystem.Sched, Level.Debug, "reaped", "tid", t.Id);
            Free(t);
            _reaped++;
            if (--_dying == 0) Scheduler.WakeLocked(_idle, int.MaxValue);
        }

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
