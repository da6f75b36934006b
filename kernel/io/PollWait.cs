using Sticky.Proc;

namespace Sticky.Io
{
    // Where poll(2) sleeps: one queue for every waiter, woken (under the
    // scheduler lock, which guards the state of pipes and the terminal) by
    // anything that can make a file readable or writable. Each waiter then
    // looks at its own files again; few processes poll at once, so one queue
    // costs little and cannot miss a wakeup.
    public static class PollWait
    {
        public const int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
            POLLRDNORM = 0x40, POLLWRNORM = 0x100;

        private static WaitQueue _waiters;

        public static WaitQueue Waiters => _waiters;

        // At boot: made on first use, it would count as a leak of the first program that polls.
        public static void Init() => _waiters = new WaitQueue();

        // Scheduler lock held.
        public static void WakeLocked()
        {
            if (_waiters != null && _waiters.Head != null) Scheduler.WakeLocked(_waiters, int.MaxValue);
        }
    }
}
