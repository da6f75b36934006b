using Sticky.Proc;

namespace Sticky.Sys
{
    // Nice values (getpriority/setpriority), the CPU a thread runs on
    // (getcpu) and the CPUs it may run on (sched_setaffinity). Nice values
    // are recorded per process: the scheduler is round-robin and does not
    // weigh them.
    public static unsafe class SysPriority
    {
        private const int PRIO_PROCESS = 0, PRIO_PGRP = 1, PRIO_USER = 2;

        // The raw syscall returns 20 - nice (1..40), so success is never negative; libc turns it back.
        public static long GetPriority(int which, int who)
        {
            if (which < PRIO_PROCESS || which > PRIO_USER) return -Errno.EINVAL;
            int best = int.MaxValue;
            ulong flags = Scheduler.Lock();
            for (Process p = Processes.First; p != null; p = p.NextInTable)
                if (Matches(p, which, who) && p.Nice < best) best = p.Nice;
            Scheduler.Unlock(flags);
            return best == int.MaxValue ? -Errno.ESRCH : 20 - best;
        }

        // Only root may lower a nice value (raise the priority): EACCES; values are clamped to -20..19.
        public static long SetPriority(int which, int who, int nice)
        {
            if (which < PRIO_PROCESS || which > PRIO_USER) return -Errno.EINVAL;
            if (nice < -20) nice = -20;
            if (nice > 19) nice = 19;
            bool root = Processes.Current.Creds.IsRoot;
            long result = -Errno.ESRCH;
            ulong flags = Scheduler.Lock();
            for (Process p = Processes.First; p != null; p = p.NextInTable)
            {
                if (!Matches(p, which, who)) continue;
                if (nice < p.Nice && !root) { result = -Errno.EACCES; continue; }
                p.Nice = nice;
                if (result == -Errno.ESRCH) result = 0;
            }
            Scheduler.Unlock(flags);
            return result;
        }

        // who 0: the caller (its process, its group, its user). Process
        // groups other than the caller's are not tracked here: ESRCH.
        private static bool Matches(Process p, int which, int who)
        {
            if (p.State != ProcessState.Alive) return false;
            Process me = Processes.Current;
            switch (which)
            {
                case PRIO_PROCESS: return who == 0 ? p == me : p.Pid == who;
                case PRIO_PGRP: return who == 0 && p == me;
                default: return p.Creds.Uid == (who == 0 ? me.Creds.Uid : who);
            }
        }

        // getcpu(cpu, node, cache): the CPU, on node 0; either pointer may be null.
        public static long GetCpu(ulong cpu, ulong node)
        {
            // The CPU this thread ran on a moment ago (it may have moved since, as on Linux).
            uint current = Sticky.Arch.Cpus.Count > 1 ? (uint)Sticky.Arch.Cpus.Current->CpuId : 0;
            if (cpu != 0 && !UserMemory.Write(cpu, current)) return -Errno.EFAULT;
            if (node != 0 && !UserMemory.Write(node, 0u)) return -Errno.EFAULT;
            return 0;
        }

        // sched_setaffinity(pid, len, mask): a mask with no online CPU is
        // EINVAL. A valid mask is accepted but not kept: one run queue feeds
        // every CPU, and a thread runs wherever it is picked up (getaffinity
        // still says all of them).
        public static long SetAffinity(int pid, ulong length, ulong mask)
        {
            if (pid < 0) return -Errno.ESRCH;
            ulong bytes = length < 8 ? length : 8;
            ulong wanted = 0;
            if (!UserMemory.CopyIn(&wanted, mask, bytes)) return -Errno.EFAULT;
            if (!SysStartup.ProcessExists(pid)) return -Errno.ESRCH;
            return (wanted & SysStartup.OnlineCpuMask) == 0 ? -Errno.EINVAL : 0;
        }
    }
}
