using Sticky.Proc;

namespace Sticky.Io
{
    // Where poll, ppoll, select and pselect6 sleep: one queue for every
    // waiter, woken (under the scheduler lock, which guards the state of
    // pipes, sockets, eventfds and the terminal) by anything that can make a
    // file readable or writable. Each waiter then looks at its own files
    // again (Readiness.cs); few processes poll at once, so one queue costs a
    // few spurious wakeups and cannot miss one.
    public static class PollWait
    {
        public const int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
            POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLRDHUP = 0x2000;
        public const int Readable = POLLIN | POLLRDNORM, Writable = POLLOUT | POLLWRNORM;

        private static WaitQueue _waiters;

        // Scheduler lock held.
        public static WaitQueue Waiters => _waiters;

        // At boot: made on first use, it would count as a leak of the first program that polls.
        public static void Init() => _waiters = new WaitQueue();

        // Scheduler lock held: something may have become ready; every waiter looks again.
        public static void WakeLocked()
        {
            if (_waiters != null && _waiters.Head != null) Scheduler.WakeLocked(_waiters, int.MaxValue);
        }
    }
}
