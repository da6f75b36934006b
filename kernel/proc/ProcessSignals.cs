namespace Sticky.Proc
{
    // Sending a signal to a process or a process group (kill, the terminal's
    // Ctrl-C). Signals exist as their default actions and SIG_IGN
    // (SignalActions); the scheduler lock is held throughout, so targets
    // cannot be reaped under the walk.
    public static unsafe partial class Processes
    {
        // Lock held. Whether `target` is affected is its business: ignored,
        // caught (handlers do not run yet: dropped) or acted on.
        public static void SendLocked(Process target, int signal)
        {
            if (signal == 0 || target.State != ProcessState.Alive) return;
            // Like Linux's init, pid 1 gets only signals it has a handler for.
            if (target == Init) return;
            if (signal != Signals.SIGKILL)
            {
                if (Signals.IgnoredByDefault(signal) || Signals.StopsByDefault(signal)) return;
                if (target.Dispositions != null && target.Dispositions.Handler(signal) != SignalActions.Default) return;
            }
            KillLocked(target, signal);
        }

        // Lock held. Every process of group `pgid` (0: none); returns how many there were.
        public static int SendGroupLocked(int pgid, int signal)
        {
            int found = 0;
            if (pgid <= 0) return 0;
            for (Process p = _first; p != null; p = p.NextInTable)
            {
                if (p.Pgid != pgid || p.State != ProcessState.Alive) continue;
                found++;
                SendLocked(p, signal);
            }
            return found;
        }

        // Lock held: is `pgid` a process group of session `sid` (some live member)?
        public static bool GroupInSessionLocked(int pgid, int sid)
        {
            for (Process p = _first; p != null; p = p.NextInTable)
                if (p.Pgid == pgid && p.Sid == sid && p.State == ProcessState.Alive) return true;
            return false;
        }

        // Lock held: does any process (zombies included, as their ids stay taken) use `id` as its group?
        public static bool GroupExistsLocked(int id)
        {
            for (Process p = _first; p != null; p = p.NextInTable) if (p.Pgid == id) return true;
            return false;
        }
    }
}
