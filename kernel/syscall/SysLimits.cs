using Sticky.Io;
using Sticky.Proc;

namespace Sticky.Sys
{
    // getrlimit, setrlimit, prlimit64 over the process's ResourceLimits.
    // Everyone is root, so raising a hard limit is allowed, as for Linux's
    // CAP_SYS_RESOURCE; RLIMIT_NOFILE cannot go past the descriptor table.
    public static unsafe class Limits
    {
        private struct Rlimit { public ulong Soft, Hard; }

        // Descriptors a process may use: below this number.
        public static int OpenFiles(Process p)
        {
            ulong n = p.Limits.Soft(ResourceLimits.NOFILE);
            return n < FileTable.Capacity ? (int)n : FileTable.Capacity;
        }

        public static long Getrlimit(int resource, ulong old) => Prlimit64(0, resource, 0, old);
        public static long Setrlimit(int resource, ulong limit) => Prlimit64(0, resource, limit, 0);

        public static long Prlimit64(int pid, int resource, ulong limit, ulong old)
        {
            if ((uint)resource >= ResourceLimits.Count) return -Errno.EINVAL;
            Rlimit wanted = default;
            if (limit != 0)
            {
                if (!UserMemory.Read(limit, out wanted)) return -Errno.EFAULT;
                if (wanted.Soft > wanted.Hard) return -Errno.EINVAL;
                if (resource == ResourceLimits.NOFILE && wanted.Hard > FileTable.Capacity) return -Errno.EPERM;
            }
            ulong flags = Scheduler.Lock();   // the target cannot be reaped while we look at it
            Process target = pid == 0 ? Processes.Current : Processes.FindLocked(pid);
            if (target == null || target.State != ProcessState.Alive) { Scheduler.Unlock(flags); return -Errno.ESRCH; }
            var was = new Rlimit { Soft = target.Limits.Soft(resource), Hard = target.Limits.Hard(resource) };
            if (limit != 0) target.Limits.Set(resource, wanted.Soft, wanted.Hard);
            Scheduler.Unlock(flags);
            if (old != 0 && !UserMemory.Write(old, was)) return -Errno.EFAULT;
            return 0;
        }
    }
}
