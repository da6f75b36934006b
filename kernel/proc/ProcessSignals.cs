using Sticky.Signal;

namespace Sticky.Proc
{
    // Process groups as signal targets (kill(0), kill(-pgid), the terminal's
    // Ctrl-C) and as sessions' parts (setpgid, TIOCSPGRP). Under the
    // scheduler lock, which guards Pgid and Sid and keeps processes from
    // being reaped under the walk.
    public static unsafe partial class Processes
    {
        // Lock held. Sends `info` to every process of group `pgid`
        // (SignalSend.SendLocked decides what each does with it; a zombie
        // takes nothing); 0, or -ESRCH when the group has no member. A zombie
        // is a member until it is reaped, as in Linux.
        public static int SendGroupLocked(int pgid, in SigInfo info)
        {
            int found = 0;
            if (pgid <= 0) return -Errno.ESRCH;
            for (Process p = _first; p != null; p = p.NextInTable)
            {
                if (p.Pgid != pgid) continue;
                found++;
                if (info.Signo != 0) SignalSend.SendLocked(p, null, info);
            }
            return found > 0 ? 0 : -Errno.ESRCH;
        }

        // Lock held: is `pgid` a process group of session `sid`? Zombies count
        // (a shell sets up a pipeline's group while its first command may
        // already have exited, unreaped).
        public static bool GroupInSessionLocked(int pgid, int sid)
        {
            for (Process p = _first; p != null; p = p.NextInTable)
                if (p.Pgid == pgid && p.Sid == sid) return true;
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
