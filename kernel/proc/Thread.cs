namespace Sticky.Proc
{
    public enum ThreadState { Runnable, Running, Blocked, Dead }
    public enum WakeReason { None, Woken, TimedOut }

    // A kernel thread: its own guarded kernel stack and the RSP saved while it
    // is switched out. User-mode state (registers, FS base, address space)
    // comes with processes.
    public sealed unsafe class Thread
    {
        public int Id;
        public ThreadState State;
        public ulong SavedRsp;        // valid while not running
        public ulong StackTop;        // 0 for the boot thread, whose stack is in the image
        public string Name;

        // Scheduler and wait-queue links (guarded by the scheduler lock).
        public Thread NextRunnable;
        public Thread NextWaiter, PrevWaiter;
        public WaitQueue WaitingOn;
        public ulong WaitDeadline;    // monotonic ns; 0 = none
        public WakeReason WakeReason;
        public Thread NextTimed, PrevTimed;   // on the deadline list while waiting with a deadline
    }
}
