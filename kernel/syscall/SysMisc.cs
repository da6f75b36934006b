using Sticky.Debug;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    public static unsafe class SysMisc
    {
        // struct utsname: six 65-byte fields: stickyos, sticky, 6.1.0-stickyos-0.1.0,
        // #1 stickyos 0.1.0, x86_64, (none).
        public static long Uname(ulong buffer)
        {
            const int Field = 65;
            byte* u = stackalloc byte[Field * 6];
            for (int i = 0; i < Field * 6; i++) u[i] = 0;
            Put(u + 0 * Field, "stickyos");
            Put(u + 1 * Field, "sticky");
            // release in Linux's form (programs parse major.minor.patch): the Linux
            // ABI it follows, then the kernel's own version.
            Put(u + 2 * Field, "6.1.0-stickyos-" + Kernel.Version);
            Put(u + 3 * Field, "#1 stickyos " + Kernel.Version);
            Put(u + 4 * Field, "x86_64");
            Put(u + 5 * Field, "(none)");
            return UserMemory.CopyOut(buffer, u, Field * 6) ? 0 : -Errno.EFAULT;
        }

        private static void Put(byte* into, string s)
        {
            for (int i = 0; i < s.Length && i < 64; i++) into[i] = (byte)s[i];
        }

        // Signals are not delivered (only their default actions exist), so the
        // mask is always empty and handlers are accepted but never run.
        public static long Sigprocmask(ulong oldSet, ulong setSize)
        {
            if (setSize != 8) return -Errno.EINVAL;
            if (oldSet != 0 && !UserMemory.Write(oldSet, 0UL)) return -Errno.EFAULT;
            return 0;
        }

        // rt_sigaction: records the disposition (Proc/SignalActions.cs: SIG_IGN
        // is honoured, handlers do not run yet) and reports the old one. As in
        // Linux, the new action is read first and set even if writing the old
        // one back then faults.
        public static long Sigaction(int signal, ulong action, ulong oldAction, ulong setSize)
        {
            const int Size = SignalActions.Words * 8;
            if (setSize != 8 || signal < 1 || signal > SignalActions.Count) return -Errno.EINVAL;
            if (action != 0 && (signal == Signals.SIGKILL || signal == Signals.SIGSTOP)) return -Errno.EINVAL;
            ulong* next = stackalloc ulong[SignalActions.Words], old = stackalloc ulong[SignalActions.Words];
            if (action != 0 && !UserMemory.CopyIn(next, action, Size)) return -Errno.EFAULT;
            Process p = Processes.Current;
            // Allocated before the lock (the heap has its own); unused if another thread was first.
            var fresh = action != 0 && p.Dispositions == null ? new SignalActions() : null;
            ulong flags = Scheduler.Lock();   // other threads of p may change it too
            if (p.Dispositions != null) p.Dispositions.Get(signal, old);
            else for (int i = 0; i < SignalActions.Words; i++) old[i] = 0;
            if (action != 0)
            {
                if (p.Dispositions == null) { p.Dispositions = fresh; fresh = null; }
                p.Dispositions.Set(signal, next);
            }
            Scheduler.Unlock(flags);
            fresh?.Release();
            if (oldAction != 0 && !UserMemory.CopyOut(oldAction, old, Size)) return -Errno.EFAULT;
            return 0;
        }
    }
}
