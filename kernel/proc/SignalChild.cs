using Sticky.Signal;

namespace Sticky.Proc
{
    // A process that ends tells its parent (Linux's do_notify_parent): its
    // exit signal (SIGCHLD after fork) with the pid and status in siginfo.
    public static class SignalChild
    {
        // Scheduler lock held, `child` just became a zombie. True if the parent
        // does not want zombies (SIGCHLD ignored explicitly, or SA_NOCLDWAIT):
        // the child is then reaped at once and wait4 will not see it.
        public static bool NotifyParentLocked(Process child)
        {
            Process parent = child.Parent;
            if (parent == null || parent.State != ProcessState.Alive) return false;
            int sig = child.ExitSignal;
            bool autoReap = false;
            if (sig == Signals.SIGCHLD)
            {
                ref SignalAction a = ref parent.Actions[Signals.SIGCHLD];
                autoReap = a.IsIgnore || a.Has(SignalAction.SA_NOCLDWAIT);
                if (a.IsIgnore) sig = 0;
            }
            if (SigSet.IsValid(sig))
            {
                int status = child.WaitStatus;
                bool killed = (status & 0x7F) != 0;
                var info = new SigInfo
                {
                    Signo = sig,
                    Code = killed ? ((status & 0x80) != 0 ? SigInfo.CLD_DUMPED : SigInfo.CLD_KILLED) : SigInfo.CLD_EXITED,
                    Word16 = (uint)child.Pid,
                    Word24 = (uint)(killed ? status & 0x7F : (status >> 8) & 0xFF),
                };
                SignalSend.SendLocked(parent, null, info);
            }
            return autoReap;
        }
    }
}
