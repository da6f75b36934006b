using Sticky.Debug;
using Sticky.Lib;
using Sticky.Mm;
using Sticky.Signal;

namespace Sticky.Proc
{
    // Signal generation, as Linux's send_signal and complete_signal: a signal
    // is thrown away if its action ignores it, else queued on the thread it
    // was sent to or on the process, and one thread that does not block it is
    // told (SigPendingFlag) and woken from an interruptible sleep. A signal
    // whose default action ends the process ends it at once (SIGKILL always).
    // Everything here runs under the scheduler lock, which guards the
    // queues, masks and actions of every process (docs/signals.md).
    public static unsafe class SignalSend
    {
        // `thread` null: sent to the process (kill), else to that thread of
        // it (tkill, faults). 0, or -EAGAIN when a real-time queue is full.
        public static int SendLocked(Process p, Thread thread, in SigInfo info)
        {
            int sig = info.Signo;
            if (p.State != ProcessState.Alive || p.Exiting) return 0;
            if (sig == Signals.SIGKILL) { Processes.KillLocked(p, Signals.SIGKILL); return 0; }
            if (sig == Signals.SIGCONT) DiscardEverywhere(p, StopSignals);
            else if (IsStop(sig)) DiscardEverywhere(p, SigSet.Of(Signals.SIGCONT));
            if (IsIgnored(p, thread, sig)) return 0;

            var node = new PendingSignal();
            SigQueue.AddResult r = thread != null ? thread.SigPending.Add(info, node) : p.SharedPending.Add(info, node);
            if (r != SigQueue.AddResult.Added) KernelHeap.Free(node);
            if (r == SigQueue.AddResult.Full) return -Errno.EAGAIN;
            if (r == SigQueue.AddResult.Merged) return 0;
            Complete(p, thread, sig);
            return 0;
        }

        // A fault's signal for the faulting thread (Linux's force_sig_info): a
        // blocked or ignored fault signal cannot be left pending, so it is
        // unblocked and its action reset to the default. False if the default
        // action applies (the caller reports the fault and kills the process);
        // true if a handler will run on the way back to user mode.
        public static bool ForceLocked(Thread t, in SigInfo info)
        {
            Process p = t.Process;
            int sig = info.Signo;
            ref SignalAction a = ref p.Actions[sig];
            bool blocked = SigSet.Has(t.SigBlocked, sig);
            if (a.IsIgnore || blocked)
            {
                a.Handler = SignalAction.SIG_DFL;
                t.SigBlocked &= ~SigSet.Of(sig);
            }
            if (a.IsDefault) return false;
            var node = new PendingSignal();
            if (t.SigPending.Add(info, node) != SigQueue.AddResult.Added) KernelHeap.Free(node);
            t.SigPendingFlag = true;
            return true;
        }

        // Whether the signal would be thrown away now. A blocked signal is kept
        // even if ignored: the handler may change before it is unblocked.
        private static bool IsIgnored(Process p, Thread thread, int sig)
        {
            if (!p.Actions.Ignores(sig)) return false;
            if (thread != null) return !SigSet.Has(thread.SigBlocked, sig);
            for (Thread t = p.FirstThread; t != null; t = t.NextInProcess)
                if (SigSet.Has(t.SigBlocked, sig)) return false;
            return true;
        }

        private static void Complete(Process p, Thread thread, int sig)
        {
            Thread t = thread;
            if (t != null && SigSet.Has(t.SigBlocked, sig)) return;   // stays pending until unblocked
            if (t == null) t = Choose(p, sig);
            if (t == null) return;                                     // every thread blocks it
            ref SignalAction a = ref p.Actions[sig];
            if (a.IsDefault && IsFatalByDefault(sig) && !SigSet.Has(t.SigAwaited, sig)) { Processes.KillLocked(p, sig); return; }
            Notify(t);
        }

        // Linux's wants_signal: the main thread if it can take the signal, else
        // the first thread that does not block it and has nothing pending yet,
        // else any that does not block it.
        private static Thread Choose(Process p, int sig)
        {
            Thread any = null, idle = null;
            for (Thread t = p.FirstThread; t != null; t = t.NextInProcess)
            {
                if (SigSet.Has(t.SigBlocked, sig)) continue;
                if (t.Id == p.Pid) return t;
                if (any == null) any = t;
                if (idle == null && !t.SigPendingFlag) idle = t;
            }
            return idle ?? any;
        }

        // Tells `t` a signal waits for it: its next return to user mode looks,
        // and an interruptible sleep ends now (the call returns EINTR or restarts).
        public static void Notify(Thread t)
        {
            t.SigPendingFlag = true;
            if (t.State == ThreadState.Blocked && t.SleepsInterruptibly) Scheduler.InterruptLocked(t);
        }

        // After `t`'s mask changed or it took a signal: does anything deliverable remain?
        public static void RecalcLocked(Thread t)
        {
            ulong pending = t.SigPending.Set | t.Process.SharedPending.Set;
            t.SigPendingFlag = (pending & ~t.SigBlocked) != 0;
        }

        // rt_sigprocmask, sigreturn, handler entry: SIGKILL and SIGSTOP are
        // never blocked. A process-wide signal this thread now blocks goes to
        // another thread that can take it (Linux's retarget_shared_pending).
        public static void SetBlockedLocked(Thread t, ulong mask)
        {
            mask &= ~SigSet.Unblockable;
            ulong newlyBlocked = mask & ~t.SigBlocked;
            t.SigBlocked = mask;
            Retarget(t, newlyBlocked & t.Process.SharedPending.Set);
            RecalcLocked(t);
        }

        // A thread leaves: its own pending signals go with it, the process's
        // go to the threads that remain.
        public static void ThreadExitingLocked(Thread t)
        {
            t.SigPending.Clear();
            t.SigPendingFlag = false;
            if (t.Process != null) Retarget(t, t.Process.SharedPending.Set & ~t.SigBlocked);
        }

        private static void Retarget(Thread from, ulong signals)
        {
            if (signals == 0) return;
            for (Thread o = from.Process.FirstThread; o != null && signals != 0; o = o.NextInProcess)
            {
                if (o == from) continue;
                ulong takes = signals & ~o.SigBlocked;
                if (takes == 0) continue;
                Notify(o);
                signals &= ~takes;
            }
        }

        // rt_sigaction to an ignoring action: a pending instance is thrown away (POSIX).
        public static void DiscardEverywhere(Process p, ulong signals)
        {
            p.SharedPending.Discard(signals);
            for (Thread t = p.FirstThread; t != null; t = t.NextInProcess) t.SigPending.Discard(signals);
        }

        // Takes the next signal `t` should handle, thread-directed first, a
        // fault's signal before any other. 0 if none.
        public static int DequeueLocked(Thread t, out SigInfo info) => DequeueFromLocked(t, ~t.SigBlocked, out info);

        // Takes a pending signal in `wanted` (rt_sigtimedwait), blocked or not. 0 if none.
        public static int DequeueFromLocked(Thread t, ulong wanted, out SigInfo info)
        {
            info = default;
            int sig = SigSet.Next(t.SigPending.Set & wanted);
            bool ok = sig != 0 && t.SigPending.Take(sig, out info);
            if (!ok)
            {
                info = default;
                sig = SigSet.Next(t.Process.SharedPending.Set & wanted);
                ok = sig != 0 && t.Process.SharedPending.Take(sig, out info);
            }
            RecalcLocked(t);
            return ok ? sig : 0;
        }

        // execve: handlers go (ignored signals stay ignored), so does the
        // alternate stack; the mask and pending signals stay (POSIX).
        public static void ResetForExec(Thread t)
        {
            ulong flags = Scheduler.Lock();
            t.Process.Actions.ResetHandlersForExec();
            Scheduler.Unlock(flags);
            t.AltStackBase = t.AltStackSize = 0;
            t.AltStackFlags = SignalFrame.SS_DISABLE;
            t.Restart = default;
            t.RestoreSigMask = false;
            t.ReturnViaIret = true;
        }

        // A new thread (clone) or process (fork) starts with its creator's
        // mask; a forked process keeps the alternate stack, a thread has none
        // (Linux's copy_process). Before the thread is on its process's list.
        public static void InheritForNewThread(Thread t, Thread creator, bool sameProcess)
        {
            t.SigBlocked = creator.SigBlocked;
            t.SchedPolicy = creator.SchedPolicy;       // (not signals, but inherited the same way)
            t.SchedPriority = creator.SchedPriority;
            if (sameProcess) { t.AltStackFlags = SignalFrame.SS_DISABLE; return; }
            t.AltStackBase = creator.AltStackBase;
            t.AltStackSize = creator.AltStackSize;
            t.AltStackFlags = creator.AltStackFlags;
        }

        public const ulong StopSignals = (1UL << (Signals.SIGSTOP - 1)) | (1UL << (Signals.SIGTSTP - 1)) |
                                         (1UL << (Signals.SIGTTIN - 1)) | (1UL << (Signals.SIGTTOU - 1));

        private static bool IsStop(int sig) => SigSet.Has(StopSignals, sig);

        public static bool IsFatalByDefault(int sig)
        {
            DefaultAction d = SignalDefaults.Of(sig);
            return d == DefaultAction.Terminate || d == DefaultAction.CoreDump;
        }

        public static void LogIgnoredStop(Process p, int sig)
        {
            if (!Log.On(Subsystem.Proc, Level.Debug)) return;
            Log.Begin(Subsystem.Proc, Level.Debug);
            Console.Write("stop signals are not implemented: ");
            Console.Write(Signals.Name(sig));
            Log.Value("pid", p.Pid);
            Log.End();
        }
    }
}
