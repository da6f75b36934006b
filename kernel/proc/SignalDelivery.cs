using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Signal;

namespace Sticky.Proc
{
    // Signal delivery on the way back to ring 3 (Linux's arch_do_signal_or_restart):
    // a syscall interrupted by a signal is restarted or fails with EINTR, then
    // each pending signal the thread does not block gets its action: ignored,
    // the process ends, or a handler frame is pushed (several stack up, the
    // last pushed runs first, as on Linux).
    public static unsafe class SignalDelivery
    {
        // A syscall's frame keeps the call's number in ErrorCode (Linux's
        // orig_ax); ulong.MaxValue means "not a syscall" (after rt_sigreturn).
        public static bool IsSyscallFrame(TrapFrame* f) => f->Vector == UserMode.SyscallVector && (long)f->ErrorCode >= 0;

        public static void OnReturnToUser(TrapFrame* f)
        {
            Thread t = Scheduler.Current;
            Process p = t.Process;
            long result = (long)f->Rax;
            bool restart = IsSyscallFrame(f) && SyscallRestart.IsRestart(result);
            if (!t.SigPendingFlag && !restart && !t.RestoreSigMask) return;

            for (int guard = 0; guard < SigSet.Count * 2; guard++)
            {
                ulong flags = Scheduler.Lock();
                int sig = SignalSend.DequeueLocked(t, out SigInfo info);
                if (sig == 0) { Scheduler.Unlock(flags); break; }
                SignalAction a = p.Actions[sig];
                if (a.IsIgnore) { Scheduler.Unlock(flags); continue; }
                if (a.IsDefault)
                {
                    DefaultAction d = SignalDefaults.Of(sig);
                    if (d == DefaultAction.Stop) SignalSend.LogIgnoredStop(p, sig);
                    if (d == DefaultAction.Terminate || d == DefaultAction.CoreDump)
                    {
                        Processes.KillLocked(p, sig);
                        Scheduler.Unlock(flags);
                        Processes.ExitThread(0);
                    }
                    Scheduler.Unlock(flags);
                    continue;
                }
                if (a.Has(SignalAction.SA_RESETHAND)) p.Actions[sig].Handler = SignalAction.SIG_DFL;
                Scheduler.Unlock(flags);

                if (restart)
                {
                    Apply(f, SyscallRestart.Decide(result, true, a.Has(SignalAction.SA_RESTART)));
                    restart = false;
                }
                ulong savedMask = t.RestoreSigMask ? t.SigSavedMask : t.SigBlocked;
                if (!SignalFrame.Push(t, f, sig, info, a, savedMask))
                {
                    CannotDeliver(t, sig);
                    continue;
                }
                t.RestoreSigMask = false;
                flags = Scheduler.Lock();
                ulong mask = t.SigBlocked | a.Mask;
                if (!a.Has(SignalAction.SA_NODEFER)) mask |= SigSet.Of(sig);
                SignalSend.SetBlockedLocked(t, mask);
                Scheduler.Unlock(flags);
            }
            if (restart) Apply(f, SyscallRestart.Decide(result, false, false));
            if (t.RestoreSigMask)
            {
                t.RestoreSigMask = false;
                ulong flags = Scheduler.Lock();
                SignalSend.SetBlockedLocked(t, t.SigSavedMask);
                Scheduler.Unlock(flags);
            }
        }

        private static void Apply(TrapFrame* f, RestartAction action)
        {
            switch (action)
            {
                case RestartAction.Interrupted:
                    f->Rax = unchecked((ulong)-Errno.EINTR);
                    break;
                case RestartAction.Restart:
                    f->Rax = f->ErrorCode;
                    f->Rip -= 2;                 // back over the 2-byte `syscall`
                    Scheduler.Current.ReturnViaIret = true;
                    break;
                case RestartAction.RestartBlock:
                    f->Rax = SyscallRestart.RestartSyscallNumber;
                    f->Rip -= 2;
                    Scheduler.Current.ReturnViaIret = true;
                    break;
            }
        }

        // The frame could not be written (Linux's force_sigsegv): SIGSEGV, and
        // if that was SIGSEGV's own handler, with the default action (death).
        private static void CannotDeliver(Thread t, int sig)
        {
            Process p = t.Process;
            if (Log.On(Subsystem.Proc, Level.Info))
            {
                Log.Begin(Subsystem.Proc, Level.Info);
                Console.Write("cannot write a signal frame for ");
                Console.Write(Signals.Name(sig) ?? "a signal");
                Log.Value("pid", p.Pid);
                Log.Value("tid", t.Id);
                Log.End();
            }
            ulong flags = Scheduler.Lock();
            if (sig == Signals.SIGSEGV) p.Actions[Signals.SIGSEGV].Handler = SignalAction.SIG_DFL;
            var info = new SigInfo { Signo = Signals.SIGSEGV, Code = SigInfo.SI_KERNEL };
            if (!SignalSend.ForceLocked(t, info)) Processes.KillLocked(p, Signals.SIGSEGV);
            Scheduler.Unlock(flags);
            if (p.Exiting) Processes.ExitThread(0);
        }
    }
}
