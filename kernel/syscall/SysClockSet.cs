using Sticky.Proc;
using Sticky.Time;

namespace Sticky.Sys
{
    // Setting the time of day: root moves CLOCK_REALTIME (the offset added
    // to the monotonic clock); the monotonic clocks cannot be set (EINVAL).
    public static unsafe class SysClockSet
    {
        private const ulong NsPerSecond = 1_000_000_000;

        public static long ClockSettime(int clock, ulong ts)
        {
            if (!SysTime.Now(clock, out _)) return -Errno.EINVAL;
            if (!UserMemory.Read(ts, out SysTime.Timespec t)) return -Errno.EFAULT;
            if (clock != SysTime.CLOCK_REALTIME) return -Errno.EINVAL;
            if (t.Seconds < 0 || t.Nanoseconds < 0 || t.Nanoseconds >= (long)NsPerSecond) return -Errno.EINVAL;
            return Set((ulong)t.Seconds * NsPerSecond + (ulong)t.Nanoseconds);
        }

        // settimeofday(tv, tz): a null tv leaves the time alone; the time zone is not kept.
        public static long Settimeofday(ulong tv, ulong tz)
        {
            long* t = stackalloc long[2];
            if (tv != 0 && !UserMemory.CopyIn(t, tv, 16)) return -Errno.EFAULT;
            if (tz != 0 && !UserMemory.Read(tz, out ulong _)) return -Errno.EFAULT;
            if (tv == 0) return Processes.Current.Creds.IsRoot ? 0 : -Errno.EPERM;
            if (t[0] < 0 || t[1] < 0 || t[1] >= 1_000_000) return -Errno.EINVAL;
            return Set((ulong)t[0] * NsPerSecond + (ulong)t[1] * 1000);
        }

        private static long Set(ulong realtimeNs)
        {
            if (!Processes.Current.Creds.IsRoot) return -Errno.EPERM;
            ulong mono = Clock.NowNanoseconds;
            // The realtime clock cannot be set before boot.
            if (realtimeNs < mono) return -Errno.EINVAL;
            SysTime.BootRealtimeNs = realtimeNs - mono;
            return 0;
        }
    }
}
