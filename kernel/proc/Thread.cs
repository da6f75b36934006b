namespace Sticky.Proc
{
    public enum ThreadState { Runnable, Running, Blocked, Dead }
    public enum WakeReason { None, Woken, TimedOut, Interrupted }

    // A thread: its own guarded kernel stack and the RSP saved while it is
    // switched out. A user thread also belongs to a Process; its user registers
    // live in the TrapFrame at the top of its kernel stack (UserMode.FrameOf).
    public sealed unsafe class Thread
    {
        public int Id;
        public ThreadState State;
        public ulong SavedRsp;        // valid while not running
        public ulong StackTop;        // 0 for the boot thread, whose stack is in the image
        public string Name;

        // User-mode state (Process == null: a kernel thread).
        public Process Process;
        public Thread NextInProcess;
        public ulong FsBase;          // TLS pointer (arch_prctl / CLONE_SETTLS), loaded on every switch in
        public byte* FpuState;        // x87/MXCSR (Fpu.StateSize, 64-byte aligned) while switched out; user threads only
        public ulong ClearChildTid;   // CLONE_CHILD_CLEARTID / set_tid_address: zeroed and woken at exit
        public ulong SetChildTid;     // CLONE_CHILD_SETTID of a new process: written by the child as it first enters user mode
        public ulong FutexWord;       // the user address this thread is FUTEX_WAITing on (diagnostics)
        public bool MustExit;         // another thread of the process is in execve: leave at the next return to user
        public Sticky.Futex.FutexWaiter FutexWaiter;   // allocated at the first wait, reused, freed with the thread

        // Scheduler and wait-queue links (guarded by the scheduler lock).
        public Thread NextRunnable;
        public Thread NextWaiter, PrevWaiter;
        public WaitQueue WaitingOn;
        public ulong WaitDeadline;    // monotonic ns; 0 = none
        public WakeReason WakeReason;
        public bool Uninterruptible;  // blocked in a wait a kill does not end (Mutex)
        public bool Dying;            // exiting: counted by the Reaper until its stack is freed
        public Thread NextTimed, PrevTimed;   // on the deadline list while waiting with a deadline
        public Thread NextAll;        // every live thread, for the monitor

        // This thread is to end: its process is being killed (exit_group, a
        // fatal signal or fault) or another thread of it is in execve. Such a
        // thread starts no sleep (Scheduler.WaitLocked), creates no thread or
        // process, and leaves at its next return to user mode. Both causes are
        // set under the scheduler lock, so a check under that lock is exact.
        public bool ExitPending => MustExit || (Process != null && Process.Exiting);

        // Signals (kernel/proc/Signal*.cs), guarded by the scheduler lock.
        public ulong SigBlocked;                       // rt_sigprocmask
        public Sticky.Signal.SigQueue SigPending;      // sent to this thread (tkill, faults)
        public bool SigPendingFlag;                    // a signal may need delivery: no interruptible sleep starts, the return to user looks
        public bool SleepsInterruptibly;               // this sleep ends when a signal needs delivery (Scheduler.WaitLocked)
        public bool RestoreSigMask;                    // rt_sigsuspend: SigSavedMask goes back after the handler (or at once if none runs)
        public ulong SigSavedMask;
        public ulong SigAwaited;                       // rt_sigtimedwait's set while it sleeps: these do not kill (Linux's real_blocked)
        public ulong AltStackBase, AltStackSize;       // sigaltstack
        public int AltStackFlags;                      // SS_DISABLE or SS_AUTODISARM
        public ulong FaultAddress, FaultError, FaultTrap;   // the last fault, for the signal frame's cr2, err, trapno
        public bool ReturnViaIret;                     // the kernel rewrote the user frame (signal frame, sigreturn, restart, exec):
                                                       // the next syscall return takes iretq, not sysret (cleared by it)
        public SignalRestart Restart;                  // what restart_syscall continues

        // PI futexes and robust lists (kernel/syscall/FutexPi.cs, FutexRobust.cs).
        public bool PiExited;                          // its PI locks went to their waiters: no new waiter may queue behind it
        public ulong RobustList;                       // set_robust_list: the head, walked at exit
        public int SemWaitIndex;                       // the SysV semaphore a semop sleeps on (GETNCNT, GETZCNT)
        public bool SemWaitsForZero;
        public int SchedPolicy, SchedPriority;         // sched_setscheduler: orders PI waiters (the scheduler itself is round-robin)
    }
}
