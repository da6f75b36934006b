using Sticky.Proc;
using Sticky.Time;

namespace Sticky.Sys
{
    // alarm, setitimer and getitimer for ITIMER_REAL (kernel/proc/RealTimers.cs).
    // ITIMER_VIRTUAL and ITIMER_PROF need CPU-time accounting, which stickyos
    // does not keep: EINVAL.
    public static unsafe class SysTimer
    {
        private const int ITIMER_REAL = 0;
        private const ulong NsPerUs = 1000, UsPerSecond = 1_000_000;

        private struct Timeval { public long Seconds, Microseconds; }
        private struct Itimerval { public Timeval Interval, Value; }

        public static long Alarm(uint seconds)
        {
            Itimerval old = Swap(seconds * UsPerSecond * NsPerUs, 0);
            // Linux's alarm_setitimer: whole seconds, rounded to the nearest, never 0 while armed.
            long left = old.Value.Seconds;
            if ((left == 0 && old.Value.Microseconds != 0) || old.Value.Microseconds >= 500_000) left++;
            return left;
        }

        public static long SetItimer(int which, ulong value, ulong oldValue)
        {
            if (which != ITIMER_REAL) return -Errno.EINVAL;
            Itimerval v = default;
            if (value != 0 && !UserMemory.Read(value, out v)) return -Errno.EFAULT;
            if (!Valid(v.Value) || !Valid(v.Interval)) return -Errno.EINVAL;
            Itimerval old = Swap(ToNs(v.Value), ToNs(v.Interval));
            if (oldValue != 0 && !UserMemory.Write(oldValue, old)) return -Errno.EFAULT;
            return 0;
        }

        public static long GetItimer(int which, ulong value)
        {
            if (which != ITIMER_REAL) return -Errno.EINVAL;
            ulong flags = Scheduler.Lock();
            Itimerval now = Current(Processes.Current);
            Scheduler.Unlock(flags);
            return UserMemory.Write(value, now) ? 0 : -Errno.EFAULT;
        }

        private static Itimerval Swap(ulong valueNs, ulong intervalNs)
        {
            Process p = Processes.Current;
            ulong flags = Scheduler.Lock();
            Itimerval old = Current(p);
            ulong deadline = valueNs == 0 ? 0 : Clock.NowNanoseconds + valueNs;
            RealTimers.ArmLocked(p, deadline, intervalNs);
            Scheduler.Unlock(flags);
            return old;
        }

        // Scheduler lock held: what is left, rounded up to the microsecond.
        private static Itimerval Current(Process p)
        {
            var r = new Itimerval { Interval = ToTimeval(p.AlarmInterval) };
            if (p.AlarmDeadline != 0)
            {
                ulong now = Clock.NowNanoseconds;
                ulong left = p.AlarmDeadline > now ? p.AlarmDeadline - now : 1;
                r.Value = ToTimeval(left + NsPerUs - 1);
            }
            return r;
        }

        private static bool Valid(Timeval t) => t.Seconds >= 0 && t.Microseconds >= 0 && t.Microseconds < (long)UsPerSecond;
        private static ulong ToNs(Timeval t) => (ulong)t.Seconds * UsPerSecond * NsPerUs + (ulong)t.Microseconds * NsPerUs;
        private static Timeval ToTimeval(ulong ns) =>
            new Timeval { Seconds = (long)(ns / (UsPerSecond * NsPerUs)), Microseconds = (long)(ns / NsPerUs % UsPerSecond) };
    }
}
