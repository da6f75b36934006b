using Sticky.Debug;
using Sticky.Signal;
using Sticky.Time;

namespace Sticky.Proc
{
    // ITIMER_REAL (alarm, setitimer): one deadline and interval per process
    // (not inherited by fork, kept by execve), fired by one kernel thread that
    // sleeps until the earliest of them and sends SIGALRM. Arming a timer
    // wakes it to look again. The fields are guarded by the scheduler lock.
    public static unsafe class RealTimers
    {
        private static WaitQueue _wake;

        // At boot, after init got pid 1: the thread exists before any program
        // runs, so the runner's accounting never sees it appear.
        public static void Start()
        {
            _wake = new WaitQueue();
            if (Scheduler.Spawn("itimer", &Loop, 0) == null) Panic.Halt("no memory for the interval timer thread");
        }

        // Scheduler lock held. deadline 0: disarmed.
        public static void ArmLocked(Process p, ulong deadlineNs, ulong intervalNs)
        {
            p.AlarmDeadline = deadlineNs;
            p.AlarmInterval = deadlineNs != 0 ? intervalNs : 0;
            Scheduler.WakeLocked(_wake, 1);
        }

        private static void Loop(ulong _)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                ulong now = Clock.NowNanoseconds, next = 0;
                for (Process p = Processes.First; p != null; p = p.NextInTable)
                {
                    if (p.AlarmDeadline == 0) continue;
                    if (p.State != ProcessState.Alive || p.Exiting) { p.AlarmDeadline = 0; continue; }
                    if (p.AlarmDeadline <= now)
                    {
                        SignalSend.SendLocked(p, null, new SigInfo { Signo = Signals.SIGALRM, Code = SigInfo.SI_KERNEL });
                        ulong due = p.AlarmDeadline + p.AlarmInterval;
                        p.AlarmDeadline = p.AlarmInterval == 0 ? 0 : due > now ? due : now + p.AlarmInterval;
                    }
                    if (p.AlarmDeadline != 0 && (next == 0 || p.AlarmDeadline < next)) next = p.AlarmDeadline;
                }
                Scheduler.WaitLocked(_wake, next, flags);
            }
        }
    }
}
