using Sticky.Proc;

namespace Sticky.Sys
{
    // prctl(2), the options programs and libcs use: the thread name (comm),
    // the parent-death signal (recorded, and cleared by fork as on Linux, but
    // not sent: orphans are adopted by init), dumpable, no_new_privs, timer
    // slack, keepcaps and the capability bounding set (root holds all).
    // Every other option is EINVAL, as Linux answers an option it lacks.
    public static unsafe class SysPrctl
    {
        private const int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
            PR_GET_KEEPCAPS = 7, PR_SET_KEEPCAPS = 8, PR_SET_NAME = 15, PR_GET_NAME = 16, PR_CAPBSET_READ = 23,
            PR_SET_TIMERSLACK = 29, PR_GET_TIMERSLACK = 30, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39;
        private const int CapLast = 40;                 // CAP_CHECKPOINT_RESTORE, Linux 6.1's last capability
        private const long DefaultTimerSlackNs = 50_000;

        public static long Prctl(int option, ulong a2, ulong a3, ulong a4, ulong a5)
        {
            Process p = Processes.Current;
            switch (option)
            {
                case PR_SET_PDEATHSIG:
                    if (a2 > 64) return -Errno.EINVAL;
                    p.DeathSignal = (int)a2;
                    return 0;
                case PR_GET_PDEATHSIG:
                    return UserMemory.Write(a2, p.DeathSignal) ? 0 : -Errno.EFAULT;
                case PR_GET_DUMPABLE: return p.Dumpable ? 1 : 0;
                case PR_SET_DUMPABLE:
                    if (a2 > 1) return -Errno.EINVAL;
                    p.Dumpable = a2 == 1;
                    return 0;
                case PR_GET_KEEPCAPS: return p.KeepCaps ? 1 : 0;
                case PR_SET_KEEPCAPS:
                    if (a2 > 1) return -Errno.EINVAL;
                    p.KeepCaps = a2 == 1;
                    return 0;
                case PR_SET_NAME: return SetName(p, a2);
                case PR_GET_NAME: return GetName(p, a2);
                case PR_CAPBSET_READ: return a2 <= CapLast ? 1 : -Errno.EINVAL;
                case PR_SET_TIMERSLACK: return 0;
                case PR_GET_TIMERSLACK: return DefaultTimerSlackNs;
                case PR_SET_NO_NEW_PRIVS:
                    if (a2 != 1 || a3 != 0 || a4 != 0 || a5 != 0) return -Errno.EINVAL;
                    p.NoNewPrivs = true;
                    return 0;
                case PR_GET_NO_NEW_PRIVS:
                    if (a2 != 0 || a3 != 0 || a4 != 0 || a5 != 0) return -Errno.EINVAL;
                    return p.NoNewPrivs ? 1 : 0;
                default: return -Errno.EINVAL;
            }
        }

        // Up to 15 bytes and a NUL, as Linux's TASK_COMM_LEN; a longer name is cut.
        private static long SetName(Process p, ulong user)
        {
            byte* name = stackalloc byte[Process.NameCapacity];
            int n = 0;
            for (; n < Process.NameCapacity - 1; n++)
            {
                if (!UserMemory.Read(user + (ulong)n, out byte b)) return -Errno.EFAULT;
                if (b == 0) break;
                name[n] = b;
            }
            ulong flags = Scheduler.Lock();   // /proc reads it under the lock
            for (int i = 0; i < n; i++) p.Name[i] = name[i];
            p.NameLength = n;
            Scheduler.Unlock(flags);
            return 0;
        }

        private static long GetName(Process p, ulong user)
        {
            byte* name = stackalloc byte[Process.NameCapacity];
            int n = p.NameLength < Process.NameCapacity - 1 ? p.NameLength : Process.NameCapacity - 1;
            for (int i = 0; i < Process.NameCapacity; i++) name[i] = i < n ? p.Name[i] : (byte)0;
            return UserMemory.CopyOut(user, name, Process.NameCapacity) ? 0 : -Errno.EFAULT;
        }
    }
}
