using Sticky.Proc;

namespace Sticky.Io
{
    // Where poll, select and their kin sleep: one queue for every pipe,
    // socket, eventfd and the console. Anything that may make a file ready
    // wakes all of it, and each sleeper checks its own files again. Simple
    // (no per-file wait lists) at the price of a few spurious wakeups.
    // Guarded by the scheduler lock, like every wait queue.
    public static class IoEvents
    {
        public const int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
            POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLRDHUP = 0x2000;
        public const int Readable = POLLIN | POLLRDNORM, Writable = POLLOUT | POLLWRNORM;

        private static WaitQueue _sleepers;

        public static void Init() => _sleepers = new WaitQueue();

        // Scheduler lock held.
        public static WaitQueue SleepersLocked => _sleepers;

        // Scheduler lock held: something changed; every poller looks again.
        public static void ChangedLocked()
        {
            if (_sleepers != null && _sleepers.Count > 0) Scheduler.WakeLocked(_sleepers, int.MaxValue);
        }
    }
}
