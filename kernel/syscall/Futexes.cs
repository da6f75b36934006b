using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // INTERIM futex: WAIT/WAKE keyed by (process, address), enough for
    // pthread_join and mutexes. Replaced by kernel/futex (designs, pins, requeue).
    public static unsafe class Futexes
    {
        private const int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_PRIVATE = 128, FUTEX_CLOCK_REALTIME = 256;
        private static WaitQueue _queue;

        public static bool CopyPinnedPagesOnFork => false;

        public static long Syscall(ulong uaddr, int op, uint val, ulong timeout, ulong uaddr2, uint val3)
        {
            if ((uaddr & 3) != 0) return -Errno.EINVAL;
            int cmd = op & ~(FUTEX_PRIVATE | FUTEX_CLOCK_REALTIME);
            if (cmd == FUTEX_WAIT) return Wait(uaddr, val, timeout);
            if (cmd == FUTEX_WAKE) return Wake(Processes.Current, uaddr, (int)val);
            return -Errno.ENOSYS;
        }

        private static long Wait(ulong uaddr, uint expected, ulong timeout)
        {
            ulong deadline = 0;
            if (timeout != 0)
            {
                long err = SysTime.ReadTimespec(timeout, out ulong ns);
                if (err != 0) return err;
                deadline = Sticky.Time.Clock.NowNanoseconds + ns;
            }
            if (!UserMemory.Read(uaddr, out uint _)) return -Errno.EFAULT;
            if (_queue == null) _queue = new WaitQueue();
            Thread self = Scheduler.Current;
            ulong flags = Scheduler.Lock();
            if (!UserMemory.Read(uaddr, out uint value)) { Scheduler.Unlock(flags); return -Errno.EFAULT; }
            if (value != expected) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
            self.FutexWord = uaddr;
            WakeReason r = Scheduler.WaitLocked(_queue, deadline, flags);
            self.FutexWord = 0;
            return r == WakeReason.Woken ? 0 : r == WakeReason.TimedOut ? -Errno.ETIMEDOUT : -Errno.EINTR;
        }

        private static long Wake(Process p, ulong uaddr, int count)
        {
            if (_queue == null) return 0;
            int n = 0;
            ulong flags = Scheduler.Lock();
            for (Thread t = _queue.Head; t != null && n < count;)
            {
                Thread next = t.NextWaiter;
                if (t.Process == p && t.FutexWord == uaddr) { Scheduler.WakeThreadLocked(t); n++; }
                t = next;
            }
            Scheduler.Unlock(flags);
            return n;
        }

        public static void WakeAtExit(ulong uaddr) => Wake(Processes.Current, uaddr, 1);
    }
}
