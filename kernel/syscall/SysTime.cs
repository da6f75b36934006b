using Sticky.Futex;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;
using Sticky.Time;

namespace Sticky.Sys
{
    // Clocks and sleeping. CLOCK_MONOTONIC is the TSC clock since boot;
    // CLOCK_REALTIME adds the RTC's reading at boot. Sleeps wake on the 1 kHz
    // tick, so they are accurate to about a millisecond.
    public static unsafe class SysTime
    {
        public const int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
            CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
            CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
        private const int TIMER_ABSTIME = 1;
        private const ulong NsPerSecond = 1_000_000_000;

        public static ulong BootRealtimeNs;

        public struct Timespec { public long Seconds, Nanoseconds; }

        // The clock's current time in ns, or false for a clock id we do not have.
        public static bool Now(int clock, out ulong ns)
        {
            ulong mono = Clock.NowNanoseconds;
            switch (clock)
            {
                case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: ns = BootRealtimeNs + mono; return true;
                case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
                // No per-thread CPU accounting yet: the CPU-time clocks run with the monotonic clock.
                case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
                    ns = mono; return true;
                default: ns = 0; return false;
            }
        }

        public static long ClockGettime(int clock, ulong ts)
        {
            if (!Now(clock, out ulong ns)) return -Errno.EINVAL;
            var t = new Timespec { Seconds = (long)(ns / NsPerSecond), Nanoseconds = (long)(ns % NsPerSecond) };
            return UserMemory.Write(ts, t) ? 0 : -Errno.EFAULT;
        }

        public static long ClockGetres(int clock, ulong ts)
        {
            if (!Now(clock, out _)) return -Errno.EINVAL;
            if (ts == 0) return 0;
            var t = new Timespec { Seconds = 0, Nanoseconds = 1 };
            return UserMemory.Write(ts, t) ? 0 : -Errno.EFAULT;
        }

        // A user timespec as nanoseconds: -EFAULT or -EINVAL (negative, or tv_nsec
        // outside [0, 1e9)); the same rules and saturation as futex timeouts.
        public static long ReadTimespec(ulong address, out ulong ns)
        {
            ns = 0;
            if (!UserMemory.Read(address, out Timespec t)) return -Errno.EFAULT;
            int bad = FutexTimeout.Check(t.Seconds, t.Nanoseconds);
            if (bad != 0) return -bad;
            ns = (ulong)FutexTimeout.ToNanoseconds(t.Seconds, t.Nanoseconds);
            return 0;
        }

        public static long Nanosleep(ulong request, ulong remain) => ClockNanosleep(CLOCK_MONOTONIC, 0, request, remain);

        public static long ClockNanosleep(int clock, int flags, ulong request, ulong remain)
        {
            if (!Now(clock, out ulong now)) return -Errno.EINVAL;
            long err = ReadTimespec(request, out ulong ns);
            if (err != 0) return err;
            ulong duration = (flags & TIMER_ABSTIME) != 0 ? (ns > now ? ns - now : 0) : ns;
            if (duration == 0) return 0;
            ulong deadline = Clock.NowNanoseconds + duration;
            if (deadline < duration) deadline = ulong.MaxValue;
            // Interrupted by a signal: an absolute sleep restarts unless a handler
            // runs; a relative one reports what is left and, without a handler,
            // goes on to its first deadline through restart_syscall (as Linux).
            if ((flags & TIMER_ABSTIME) != 0)
                return Scheduler.SleepUntil(deadline) == WakeReason.Interrupted ? -SyscallRestart.ERESTARTNOHAND : 0;
            return SleepRelative(deadline, remain);
        }

        public static long RestartSleep(in SignalRestart r) => SleepRelative(r.DeadlineNs, r.Word);

        private static long SleepRelative(ulong deadline, ulong remain)
        {
            if (Scheduler.SleepUntil(deadline) != WakeReason.Interrupted) return 0;
            if (remain != 0)
            {
                ulong left = deadline > Clock.NowNanoseconds ? deadline - Clock.NowNanoseconds : 0;
                if (!UserMemory.Write(remain, new Timespec { Seconds = (long)(left / NsPerSecond), Nanoseconds = (long)(left % NsPerSecond) }))
                    return -Errno.EFAULT;
            }
            Scheduler.Current.Restart = new SignalRestart { Kind = RestartKind.Nanosleep, Word = remain, DeadlineNs = deadline };
            return -SyscallRestart.ERESTART_RESTARTBLOCK;
        }
    }
}
