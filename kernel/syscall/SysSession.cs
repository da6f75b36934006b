using Sticky.Proc;

namespace Sticky.Sys
{
    // Process groups and sessions, as far as a shell's job control needs
    // them (Linux's rules and errors): setpgid, getpgid, getpgrp, setsid,
    // getsid. The terminal's side (controlling terminal, foreground group) is
    // tty/KernelTerminal.cs. Everything under the scheduler lock, which
    // guards Pgid/Sid and keeps processes from being reaped meanwhile.
    public static class SysSession
    {
        public static long Getpgid(int pid) => Lookup(pid, session: false);
        public static long Getsid(int pid) => Lookup(pid, session: true);
        public static long Getpgrp() => Processes.Current.Pgid;

        private static long Lookup(int pid, bool session)
        {
            if (pid < 0) return -Errno.ESRCH;
            ulong flags = Scheduler.Lock();
            Process p = pid == 0 ? Processes.Current : Processes.FindLocked(pid);
            long result = p == null ? -Errno.ESRCH : session ? p.Sid : p.Pgid;
            Scheduler.Unlock(flags);
            return result;
        }

        // A new session and process group, both named by the caller's pid,
        // without a controlling terminal. EPERM if that id is a process group
        // already (the caller leads one): a group never spans sessions.
        public static long Setsid()
        {
            Process self = Processes.Current;
            ulong flags = Scheduler.Lock();
            long result = -Errno.EPERM;
            if (!Processes.GroupExistsLocked(self.Pid))
            {
                self.Sid = self.Pgid = self.Pid;
                result = self.Pid;
            }
            Scheduler.Unlock(flags);
            return result;
        }

        // Moves the caller or one of its children (pid; 0 = the caller) into
        // process group pgid (0 = pid), a new one named by pid or an existing
        // one of the same session.
        public static long Setpgid(int pid, int pgid)
        {
            Process self = Processes.Current;
            if (pid == 0) pid = self.Pid;
            if (pgid == 0) pgid = pid;
            if (pid < 0 || pgid < 0) return -Errno.EINVAL;
            ulong flags = Scheduler.Lock();
            long result = Move(self, Processes.FindLocked(pid), pgid);
            Scheduler.Unlock(flags);
            return result;
        }

        private static long Move(Process self, Process p, int pgid)
        {
            if (p == null || p.State != ProcessState.Alive) return -Errno.ESRCH;
            if (p.Parent == self)
            {
                if (p.Sid != self.Sid) return -Errno.EPERM;
                if (p.Execed) return -Errno.EACCES;   // a child that has exec'd is no longer the parent's to arrange
            }
            else if (p != self) return -Errno.ESRCH;
            if (p.Sid == p.Pid) return -Errno.EPERM;  // a session leader stays in its group
            if (pgid != p.Pid && !Processes.GroupInSessionLocked(pgid, self.Sid)) return -Errno.EPERM;
            p.Pgid = pgid;
            return 0;
        }
    }
}
