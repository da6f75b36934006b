namespace Sticky.Futex
{
    // The timespec of FUTEX_WAIT / FUTEX_WAIT_BITSET, as read from user space
    // (struct __kernel_timespec: two 64-bit fields).
    public static class FutexTimeout
    {
        public const long NanosPerSecond = 1_000_000_000;

        // 0 or EINVAL, as Linux's timespec64_valid: tv_sec >= 0 and
        // 0 <= tv_nsec < 1e9. Checked before the command is (FutexOp.Check).
        public static int Check(long seconds, long nanoseconds)
        {
            if (seconds < 0) return Errno.EINVAL;
            if ((ulong)nanoseconds >= NanosPerSecond) return Errno.EINVAL;
            return 0;
        }

        // A checked timespec in nanoseconds, saturating at long.MaxValue (Linux's
        // KTIME_MAX: a timeout that far away never fires).
        public static long ToNanoseconds(long seconds, long nanoseconds)
        {
            if (seconds >= long.MaxValue / NanosPerSecond) return long.MaxValue;
            return seconds * NanosPerSecond + nanoseconds;
        }

        // The absolute deadline on the clock the op uses: now + timeout for a
        // relative FUTEX_WAIT (saturating, as ktime_add_safe), the value itself
        // for WAIT_BITSET (absolute).
        public static long Deadline(FutexOp op, long seconds, long nanoseconds, long now)
        {
            long t = ToNanoseconds(seconds, nanoseconds);
            if (!op.TimeoutIsRelative) return t;
            return t > long.MaxValue - now ? long.MaxValue : now + t;
        }
    }
}
