using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Proc;
using Sticky.Signal;

namespace Sticky.Sys
{
    // The signal system calls (docs/signals.md): actions, masks, sending,
    // waiting, the alternate stack and rt_sigreturn. Masks are 8-byte sigsets:
    // any other sigsetsize is EINVAL, as on Linux x86-64.
    public static unsafe class SysSignal
    {
        private const int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
        private const ulong SigsetSize = 8;

        public static long Sigaction(int sig, ulong act, ulong oldAct, ulong size)
        {
            if (size != SigsetSize || !SigSet.IsValid(sig)) return -Errno.EINVAL;
            SignalAction updated = default;
            if (act != 0)
            {
                if (!UserMemory.Read(act, out updated)) return -Errno.EFAULT;
                if (sig == Signals.SIGKILL || sig == Signals.SIGSTOP) return -Errno.EINVAL;
                updated.Mask &= ~SigSet.Unblockable;
            }
            Process p = Processes.Current;
            ulong flags = Scheduler.Lock();
            SignalAction old = p.Actions[sig];
            if (act != 0)
            {
                p.Actions[sig] = updated;
                // POSIX: setting a pending signal's action to ignore discards it.
                if (p.Actions.Ignores(sig)) SignalSend.DiscardEverywhere(p, SigSet.Of(sig));
            }
            Scheduler.Unlock(flags);
            if (oldAct != 0 && !UserMemory.Write(oldAct, old)) return -Errno.EFAULT;
            return 0;
        }

        public static long Sigprocmask(int how, ulong set, ulong oldSet, ulong size)
        {
            if (size != SigsetSize) return -Errno.EINVAL;
            Thread t = Scheduler.Current;
            ulong old = t.SigBlocked;
            if (set != 0)
            {
                if (!UserMemory.Read(set, out ulong s)) return -Errno.EFAULT;
                ulong mask;
                switch (how)
                {
                    case SIG_BLOCK: mask = old | s; break;
                    case SIG_UNBLOCK: mask = old & ~s; break;
                    case SIG_SETMASK: mask = s; break;
                    default: return -Errno.EINVAL;
                }
                ulong flags = Scheduler.Lock();
                SignalSend.SetBlockedLocked(t, mask);
                Scheduler.Unlock(flags);
            }
            if (oldSet != 0 && !UserMemory.Write(oldSet, old)) return -Errno.EFAULT;
            return 0;
        }

        public static long Sigpending(ulong set, ulong size)
        {
            if (size > SigsetSize) return -Errno.EINVAL;
            Thread t = Scheduler.Current;
            ulong flags = Scheduler.Lock();
            ulong pending = (t.SigPending.Set | t.Process.SharedPending.Set) & t.SigBlocked;
            Scheduler.Unlock(flags);
            return UserMemory.CopyOut(set, &pending, size) ? 0 : -Errno.EFAULT;
        }

        // Sleeps with `mask` until a signal is delivered; its handler's
        // sigreturn (or the return, if none runs) brings the old mask back.
        public static long Sigsuspend(ulong set, ulong size)
        {
            if (size != SigsetSize) return -Errno.EINVAL;
            if (!UserMemory.Read(set, out ulong mask)) return -Errno.EFAULT;
            Thread t = Scheduler.Current;
            t.SigSavedMask = t.SigBlocked;
            t.RestoreSigMask = true;
            ulong flags = Scheduler.Lock();
            SignalSend.SetBlockedLocked(t, mask);
            SleepUntilSignal(t, flags);
            return -SyscallRestart.ERESTARTNOHAND;
        }

        public static long Pause()
        {
            SleepUntilSignal(Scheduler.Current, Scheduler.Lock());
            return -SyscallRestart.ERESTARTNOHAND;
        }

        // Scheduler lock held (released on return).
        private static void SleepUntilSignal(Thread t, ulong flags)
        {
            while (!t.SigPendingFlag && !t.Process.Exiting && !t.MustExit)
            {
                Scheduler.BlockLocked(0, flags);
                flags = Scheduler.Lock();
            }
            Scheduler.Unlock(flags);
        }

        public static long Sigtimedwait(ulong set, ulong infoOut, ulong timeout, ulong size)
        {
            if (size != SigsetSize) return -Errno.EINVAL;
            if (!UserMemory.Read(set, out ulong wanted)) return -Errno.EFAULT;
            wanted &= ~SigSet.Unblockable;
            ulong deadline = 0;
            bool poll = false;
            if (timeout != 0)
            {
                long err = SysTime.ReadTimespec(timeout, out ulong ns);
                if (err != 0) return err;
                poll = ns == 0;
                deadline = Sticky.Time.Clock.NowNanoseconds + ns;
                if (deadline < ns) deadline = ulong.MaxValue;
            }
            Thread t = Scheduler.Current;
            ulong flags = Scheduler.Lock();
            int sig = SignalSend.DequeueFromLocked(t, wanted, out SigInfo info);
            WakeReason reason = WakeReason.None;
            if (sig == 0 && !poll)
            {
                // While it waits, the awaited signals are unblocked so that their
                // arrival wakes it, but they stay "blocked" for the decision to
                // kill the process (Linux's real_blocked).
                ulong saved = t.SigBlocked;
                t.SigAwaited = wanted;
                t.SigBlocked = saved & ~wanted;
                SignalSend.RecalcLocked(t);
                reason = Scheduler.BlockLocked(deadline, flags);
                flags = Scheduler.Lock();
                t.SigAwaited = 0;
                SignalSend.SetBlockedLocked(t, saved);
                sig = SignalSend.DequeueFromLocked(t, wanted, out info);
            }
            Scheduler.Unlock(flags);
            if (sig == 0) return poll || reason == WakeReason.TimedOut ? -Errno.EAGAIN : -Errno.EINTR;
            if (infoOut != 0 && !WriteInfo(infoOut, info)) return -Errno.EFAULT;
            return sig;
        }

        private static bool WriteInfo(ulong into, in SigInfo info)
        {
            byte* full = stackalloc byte[SigInfo.Size];
            for (int i = 0; i < SigInfo.Size; i++) full[i] = 0;
            fixed (SigInfo* i = &info) *(SigInfo*)full = *i;
            return UserMemory.CopyOut(into, full, SigInfo.Size);
        }

        // ---- sending ----------------------------------------------------------

        public static long Kill(int pid, int sig)
        {
            if (sig < 0 || sig > SigSet.Count) return -Errno.EINVAL;
            Process self = Processes.Current;
            var info = SigInfo.FromProcess(sig, SigInfo.SI_USER, self.Pid);
            ulong flags = Scheduler.Lock();   // no target can be reaped while we look at it
            long result;
            if (pid == -1)
            {
                // Every process but init and the caller (one user: everyone may).
                result = -Errno.ESRCH;
                for (Process p = Processes.First; p != null; p = p.NextInTable)
                {
                    if (p == Processes.Init || p == self || p.State != ProcessState.Alive) continue;
                    if (sig != 0) SignalSend.SendLocked(p, null, info);
                    result = 0;
                }
            }
            else if (pid <= 0)
            {
                // 0: the caller's process group; -n: process group n.
                result = pid == int.MinValue ? -Errno.ESRCH : Processes.SendGroupLocked(pid == 0 ? self.Pgid : -pid, info);
            }
            else
            {
                Process target = Processes.FindLocked(pid);
                result = target == null ? -Errno.ESRCH : sig == 0 ? 0 : SignalSend.SendLocked(target, null, info);
            }
            Scheduler.Unlock(flags);
            return result;
        }

        // tkill (tgid = 0: any process) and tgkill.
        public static long ThreadKill(int tgid, int tid, int sig)
        {
            if (tid <= 0 || tgid < 0 || sig < 0 || sig > SigSet.Count) return -Errno.EINVAL;
            var info = SigInfo.FromProcess(sig, SigInfo.SI_TKILL, Processes.Current.Pid);
            return SendToThread(tgid, tid, info, sig == 0);
        }

        public static long Sigqueueinfo(int pid, int sig, ulong uinfo)
        {
            if (!SigSet.IsValid(sig)) return -Errno.EINVAL;
            if (!ReadQueuedInfo(uinfo, sig, pid, out SigInfo info)) return -Errno.EFAULT;
            if (!SigInfo.UserMayQueue(info.Code) && pid != Processes.Current.Pid) return -Errno.EPERM;
            ulong flags = Scheduler.Lock();
            Process target = Processes.FindLocked(pid);
            long result = target == null ? -Errno.ESRCH : SignalSend.SendLocked(target, null, info);
            Scheduler.Unlock(flags);
            return result;
        }

        public static long Tgsigqueueinfo(int tgid, int tid, int sig, ulong uinfo)
        {
            if (tid <= 0 || tgid <= 0 || !SigSet.IsValid(sig)) return -Errno.EINVAL;
            if (!ReadQueuedInfo(uinfo, sig, tgid, out SigInfo info)) return -Errno.EFAULT;
            if (!SigInfo.UserMayQueue(info.Code) && tgid != Processes.Current.Pid) return -Errno.EPERM;
            return SendToThread(tgid, tid, info, false);
        }

        private static bool ReadQueuedInfo(ulong uinfo, int sig, int pid, out SigInfo info)
        {
            if (!UserMemory.Read(uinfo, out info)) return false;
            info.Signo = sig;
            return true;
        }

        private static long SendToThread(int tgid, int tid, in SigInfo info, bool probeOnly)
        {
            ulong flags = Scheduler.Lock();
            Thread target = null;
            for (Thread t = Scheduler.AllThreads; t != null; t = t.NextAll)
                if (t.Id == tid && t.Process != null && t.State != ThreadState.Dead) { target = t; break; }
            long result;
            if (target == null || (tgid != 0 && target.Process.Pid != tgid)) result = -Errno.ESRCH;
            else result = probeOnly ? 0 : SignalSend.SendLocked(target.Process, target, info);
            Scheduler.Unlock(flags);
            return result;
        }

        // write and writev: EPIPE (a pipe without readers) also raises SIGPIPE
        // in the writing thread, as Linux's pipe_write.
        public static long SigpipeOnEpipe(long result)
        {
            if (result != -Errno.EPIPE) return result;
            Thread t = Scheduler.Current;
            ulong flags = Scheduler.Lock();
            SignalSend.SendLocked(t.Process, t, SigInfo.FromProcess(Signals.SIGPIPE, SigInfo.SI_USER, t.Process.Pid));
            Scheduler.Unlock(flags);
            return result;
        }

        // ---- the alternate stack and sigreturn ---------------------------------

        private struct StackT { public ulong Sp; public int Flags; public int Pad; public ulong Size; }

        public static long Sigaltstack(TrapFrame* f, ulong ss, ulong oldSs)
        {
            Thread t = Scheduler.Current;
            var old = new StackT
            {
                Sp = t.AltStackBase, Size = t.AltStackSize,
                Flags = SignalFrame.AltStackState(t, f->Rsp) | (t.AltStackFlags & SignalFrame.SS_AUTODISARM),
            };
            if (ss != 0)
            {
                if (!UserMemory.Read(ss, out StackT s)) return -Errno.EFAULT;
                int err = SignalFrame.SetAltStack(t, f->Rsp, s.Sp, s.Flags, s.Size);
                if (err != 0) return err;
            }
            if (oldSs != 0 && !UserMemory.Write(oldSs, old)) return -Errno.EFAULT;
            return 0;
        }

        public static long Sigreturn(TrapFrame* f)
        {
            Thread t = Scheduler.Current;
            if (SignalFrame.Restore(t, f, out ulong rax)) return (long)rax;
            // A bad frame: SIGSEGV, as Linux's signal_fault.
            if (Log.On(Subsystem.Proc, Level.Info))
            {
                Log.Begin(Subsystem.Proc, Level.Info);
                Console.Write("bad frame in rt_sigreturn");
                Log.Value("pid", t.Process.Pid);
                Log.Hex("rsp", f->Rsp);
                Log.End();
            }
            f->ErrorCode = ulong.MaxValue;
            ulong flags = Scheduler.Lock();
            var info = new SigInfo { Signo = Signals.SIGSEGV, Code = SigInfo.SI_KERNEL };
            if (!SignalSend.ForceLocked(t, info)) Processes.KillLocked(t.Process, Signals.SIGSEGV);
            Scheduler.Unlock(flags);
            return (long)f->Rax;
        }

        // restart_syscall: continues the call a signal interrupted without a handler running.
        public static long RestartSyscall()
        {
            Thread t = Scheduler.Current;
            SignalRestart r = t.Restart;
            t.Restart = default;
            switch (r.Kind)
            {
                case RestartKind.FutexWait: return Futexes.RestartWait(r);
                case RestartKind.Nanosleep: return SysTime.RestartSleep(r);
                case RestartKind.Poll: return SysPoll.RestartPoll(r);
                default: return -Errno.EINTR;
            }
        }
    }
}
