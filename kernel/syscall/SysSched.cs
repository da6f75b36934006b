using Sticky.Proc;

namespace Sticky.Sys
{
    // Scheduling policies as programs set them (pthread attributes with
    // explicit scheduling call sched_setscheduler). They are recorded per
    // thread and order PI futex waiters; the scheduler itself stays
    // round-robin, so a SCHED_FIFO priority does not preempt anyone
    // (docs/futex.md, "PI futexes").
    public static unsafe class SysSched
    {
        public const int SCHED_OTHER = 0, SCHED_FIFO = 1, SCHED_RR = 2, SCHED_BATCH = 3, SCHED_IDLE = 5;
        private const int SCHED_RESET_ON_FORK = 0x40000000;

        private static bool IsRealtime(int policy) => policy == SCHED_FIFO || policy == SCHED_RR;

        private static bool ValidPolicy(int policy) =>
            policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_BATCH || policy == SCHED_IDLE;

        public static long SetScheduler(int tid, int policy, ulong param, bool keepPolicy)
        {
            if (tid < 0 || param == 0) return -Errno.EINVAL;
            if (!UserMemory.Read(param, out int priority)) return -Errno.EFAULT;
            policy &= ~SCHED_RESET_ON_FORK;
            ulong flags = Scheduler.Lock();
            Thread t = Find(tid);
            long result = 0;
            if (t == null) result = -Errno.ESRCH;
            else
            {
                if (keepPolicy) policy = t.SchedPolicy;
                if (!ValidPolicy(policy)) result = -Errno.EINVAL;
                else if (IsRealtime(policy) ? priority < 1 || priority > 99 : priority != 0) result = -Errno.EINVAL;
                else { t.SchedPolicy = policy; t.SchedPriority = priority; }
            }
            Scheduler.Unlock(flags);
            return result;
        }

        public static long GetScheduler(int tid)
        {
            if (tid < 0) return -Errno.EINVAL;
            ulong flags = Scheduler.Lock();
            Thread t = Find(tid);
            long result = t == null ? -Errno.ESRCH : t.SchedPolicy;
            Scheduler.Unlock(flags);
            return result;
        }

        public static long GetParam(int tid, ulong param)
        {
            if (tid < 0 || param == 0) return -Errno.EINVAL;
            ulong flags = Scheduler.Lock();
            Thread t = Find(tid);
            int priority = t != null ? t.SchedPriority : 0;
            Scheduler.Unlock(flags);
            if (t == null) return -Errno.ESRCH;
            return UserMemory.Write(param, priority) ? 0 : -Errno.EFAULT;
        }

        public static long PriorityMax(int policy) => IsRealtime(policy) ? 99 : ValidPolicy(policy) ? 0 : -Errno.EINVAL;
        public static long PriorityMin(int policy) => IsRealtime(policy) ? 1 : ValidPolicy(policy) ? 0 : -Errno.EINVAL;

        // Scheduler lock held. 0: the caller.
        private static Thread Find(int tid)
        {
            if (tid == 0) return Scheduler.Current;
            for (Thread t = Scheduler.AllThreads; t != null; t = t.NextAll)
                if (t.Id == tid && t.Process != null && t.State != ThreadState.Dead) return t;
            return null;
        }
    }
}
