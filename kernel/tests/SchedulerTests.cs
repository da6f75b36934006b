using Sticky.Arch;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Time;

namespace Sticky.Tests
{
    // Kernel threads on the real timer: switching, preemption, wait queues with
    // deadlines, and stack teardown (the harness checks no frame leaked).
    public static unsafe class SchedulerTests
    {
        public static void Register()
        {
            SelfTest.Add("sched_threads_run_and_exit", &ThreadsRunAndExit);
            SelfTest.Add("sched_preempts_a_spinning_thread", &PreemptsSpinner);
            SelfTest.Add("sched_wait_deadline_times_out_and_wake_is_fifo", &WaitDeadlineAndFifo);
            SelfTest.AddPanic("fault_thread_stack_overflow_guard_page",
                "kernel stack overflow|CR2=ffffff00|Sticky.Tests.MemoryTests::Recurse",
                &ThreadStackOverflow);
        }

        private static int _done, _sum;
        private static WaitQueue _finished;

        private static void Worker(ulong n)
        {
            for (int i = 0; i < 100; i++) { _sum += (int)n; Scheduler.Yield(); }
            _done++;
            Scheduler.Wake(_finished, 1);
        }

        // Waits until `count` workers finished, with a deadline so a bug cannot hang the test.
        private static bool WaitFor(int count, ulong timeoutNs)
        {
            ulong deadline = Clock.NowNanoseconds + timeoutNs;
            while (_done < count)
                if (Scheduler.Wait(_finished, deadline) == WakeReason.TimedOut && _done < count) return false;
            return true;
        }

        private static string ThreadsRunAndExit()
        {
            _finished = new WaitQueue();
            _done = 0; _sum = 0;
            int stacksBefore = KernelStackAllocator.LiveStacks;
            for (ulong i = 1; i <= 4; i++)
                if (Scheduler.Spawn("worker", &Worker, i) == null) return "spawn failed";
            if (!WaitFor(4, 5000000000UL)) return "workers did not finish before the deadline";
            if (_sum != 100 * (1 + 2 + 3 + 4)) return "workers' work was lost";
            Reaper.WaitUntilIdle(Clock.NowNanoseconds + 5000000000UL);   // the workers' stacks go back through the reaper
            if (KernelStackAllocator.LiveStacks != stacksBefore) return "dead threads' stacks were not freed";
            KernelHeap.Free(_finished);
            return null;
        }

        private static volatile bool _stop;
        private static int _spins;

        private static void Spinner(ulong _)
        {
            while (!_stop) _spins++;
            _done++;
            Scheduler.Wake(_finished, 1);
        }

        // The spinner never yields; only the timer can give the CPU back to us.
        private static string PreemptsSpinner()
        {
            _finished = new WaitQueue();
            _done = 0; _stop = false;
            if (Scheduler.Spawn("spinner", &Spinner, 0) == null) return "spawn failed";
            Scheduler.Yield();                 // the spinner runs now, until preempted
            _stop = true;                      // reaching this line is the proof
            if (_spins == 0) return "the spinner never ran";
            if (!WaitFor(1, 5000000000UL)) return "spinner did not stop";
            KernelHeap.Free(_finished);
            return null;
        }

        private static WaitQueue _queue;
        private static int _order;
        private static int _wokenOrder;

        private static void Waiter(ulong id)
        {
            if (Scheduler.Wait(_queue, Clock.NowNanoseconds + 5000000000UL) == WakeReason.Woken)
                _wokenOrder = _wokenOrder * 10 + (int)id;
            _done++;
            Scheduler.Wake(_finished, 1);
        }

        private static string WaitDeadlineAndFifo()
        {
            _queue = new WaitQueue();
            _finished = new WaitQueue();
            ulong t0 = Clock.NowNanoseconds;
            if (Scheduler.Wait(_queue, t0 + 20000000UL) != WakeReason.TimedOut) return "wait with no waker did not time out";
            if (Clock.NowNanoseconds < t0 + 20000000UL) return "wait returned before its deadline";

            _done = 0; _wokenOrder = 0;
            for (ulong i = 1; i <= 3; i++) Scheduler.Spawn("waiter", &Waiter, i);
            while (_queue.Count < 3) Scheduler.Yield();
            if (Scheduler.Wake(_queue, 2) != 2) return "wake did not report two waiters";
            if (Scheduler.Wake(_queue, 10) != 1) return "wake did not report the last waiter";
            if (!WaitFor(3, 5000000000UL)) return "waiters did not finish";
            if (_wokenOrder != 123) return "waiters were not woken in FIFO order";
            KernelHeap.Free(_queue);
            KernelHeap.Free(_finished);
            return null;
        }

        private static void Overflow(ulong _) => MemoryTests.Recurse(1);

        private static string ThreadStackOverflow()
        {
            Scheduler.Spawn("overflow", &Overflow, 0);
            Scheduler.Sleep(2000000000UL);
            return "the overflowing thread did not fault";
        }
    }
}
