using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;
using Sticky.Time;

namespace Sticky.Sys
{
    // poll, ppoll, select, pselect6: one wait for all four. Each file says
    // what it is ready for (Readiness.cs) under the scheduler lock, which
    // guards the terminal, pipes, sockets and eventfds, so the check and the
    // sleep on PollWait are one step and no wakeup is lost; files of the tree
    // and devices are always ready. Linux's rules: a negative fd is skipped,
    // a closed one is POLLNVAL (select: EBADF); POLLERR, POLLHUP, POLLNVAL
    // are reported unasked. A signal ends the wait with ERESTARTNOHAND: EINTR
    // after a handler (even with SA_RESTART), otherwise the call goes on
    // (poll through restart_syscall with its first deadline; the others
    // again with the time left, which they write back). ppoll and pselect6
    // wait with their signal mask, as sigsuspend: interrupted, the caller's
    // mask comes back after the handler; otherwise at once, so a signal only
    // the call's mask let through stays pending.
    public static unsafe class SysPoll
    {
        private const ulong NsPerSecond = 1_000_000_000;
        private const ulong SigsetSize = 8;
        private const ulong Forever = ulong.MaxValue;   // as a deadline
        private const int AlwaysReported = PollWait.POLLERR | PollWait.POLLHUP | PollWait.POLLNVAL;
        // select's sets as poll events (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET).
        private const int InSet = PollWait.Readable | PollWait.POLLRDBAND | PollWait.POLLHUP | PollWait.POLLERR;
        private const int OutSet = PollWait.Writable | PollWait.POLLWRBAND | PollWait.POLLERR;
        private const int ExSet = PollWait.POLLPRI;

        private struct PollFd { public int Fd; public short Events, Revents; }

        // ---- poll, ppoll --------------------------------------------------

        // poll(fds, nfds, timeout in ms; negative: forever).
        public static long Poll(ulong fds, ulong count, int timeoutMs)
        {
            ulong deadline = timeoutMs < 0 ? Forever : After((ulong)timeoutMs * 1_000_000);
            return PollUntil(fds, count, deadline);
        }

        // restart_syscall after a poll a signal without a handler interrupted.
        public static long RestartPoll(in SignalRestart r) => PollUntil(r.Word, r.Value, r.DeadlineNs);

        private static long PollUntil(ulong fds, ulong count, ulong deadline)
        {
            long result = PollFor(fds, count, deadline);
            if (result == -SyscallRestart.ERESTARTNOHAND)
            {
                Scheduler.Current.Restart = new SignalRestart { Kind = RestartKind.Poll, Word = fds, Value = (uint)count, DeadlineNs = deadline };
                return -SyscallRestart.ERESTART_RESTARTBLOCK;
            }
            return result;
        }

        // ppoll(fds, nfds, timespec or null, sigmask or null, sigsetsize).
        public static long Ppoll(ulong fds, ulong count, ulong timeout, ulong sigmask, ulong sigsetSize)
        {
            if (sigmask != 0 && sigsetSize != SigsetSize) return -Errno.EINVAL;
            ulong deadline = Forever;
            if (timeout != 0)
            {
                long err = SysTime.ReadTimespec(timeout, out ulong wait);
                if (err != 0) return err;
                deadline = After(wait);
            }
            if (sigmask != 0)
            {
                long err = SetWaitMask(sigmask);
                if (err != 0) return err;
            }
            long result = PollFor(fds, count, deadline);
            if (sigmask != 0) RestoreMaskUnlessInterrupted(result);
            if (timeout != 0) WriteRemaining(timeout, deadline, timeval: false);
            return result;
        }

        private static long PollFor(ulong fds, ulong count, ulong deadline)
        {
            if (count > Processes.Current.Limits.Soft(ResourceLimits.NOFILE)) return -Errno.EINVAL;
            if (!UserMemory.IsUserRange(fds, count * 8)) return -Errno.EFAULT;
            int n = (int)count;
            var entries = new PollFd[n > 0 ? n : 1];
            var files = new File[n > 0 ? n : 1];
            long result;
            fixed (PollFd* e = entries)
            {
                if (n > 0 && !UserMemory.CopyIn(e, fds, count * 8)) result = -Errno.EFAULT;
                else
                {
                    FileTable table = Processes.Current.Files;
                    for (int i = 0; i < n; i++) files[i] = e[i].Fd >= 0 ? table.Acquire(e[i].Fd) : null;
                    result = Wait(e, files, n, deadline);
                    for (int i = 0; i < n; i++) files[i]?.Release();
                    // Every revents goes back, also after a signal (as Linux); nothing else is written.
                    for (int i = 0; i < n && result != -Errno.EFAULT; i++)
                        if (!UserMemory.Write(fds + (ulong)i * 8 + 6, e[i].Revents)) result = -Errno.EFAULT;
                }
            }
            KernelHeap.Free(entries);
            KernelHeap.Free(files);
            return result;
        }

        // The one wait: fills each Revents; returns how many are non-zero, or
        // -ERESTARTNOHAND when a signal (or the process's end) comes first.
        private static long Wait(PollFd* e, File[] files, int n, ulong deadline)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                int ready = 0;
                for (int i = 0; i < n; i++)
                {
                    e[i].Revents = 0;
                    if (e[i].Fd < 0) continue;
                    int events = files[i] == null ? PollWait.POLLNVAL : Readiness.EventsLocked(files[i]);
                    e[i].Revents = (short)(events & ((ushort)e[i].Events | AlwaysReported));
                    if (e[i].Revents != 0) ready++;
                }
                if (ready > 0 || Clock.NowNanoseconds >= deadline) { Scheduler.Unlock(flags); return ready; }
                WakeReason why = Scheduler.WaitLocked(PollWait.Waiters, deadline == Forever ? 0 : deadline, flags);
                if (why == WakeReason.Interrupted) return -SyscallRestart.ERESTARTNOHAND;
            }
        }

        // ---- select, pselect6 ---------------------------------------------

        // select(nfds, readfds, writefds, exceptfds, timeval or null).
        public static long Select(int nfds, ulong readSet, ulong writeSet, ulong exceptSet, ulong timeval)
        {
            ulong deadline = Forever;
            if (timeval != 0)
            {
                if (!UserMemory.Read(timeval, out long seconds) || !UserMemory.Read(timeval + 8, out long micros)) return -Errno.EFAULT;
                if (seconds < 0 || micros < 0) return -Errno.EINVAL;
                // Linux normalises a large tv_usec rather than refusing it.
                ulong s = (ulong)seconds + (ulong)micros / 1_000_000;
                ulong wait = s > (Forever / 2) / NsPerSecond ? Forever / 2 : s * NsPerSecond + (ulong)micros % 1_000_000 * 1000;
                deadline = After(wait);
            }
            long result = SelectFor(nfds, readSet, writeSet, exceptSet, deadline);
            if (timeval != 0) WriteRemaining(timeval, deadline, timeval: true);
            return result;
        }

        // pselect6(nfds, r, w, e, timespec or null, {sigmask pointer, size} or null).
        public static long Pselect6(int nfds, ulong readSet, ulong writeSet, ulong exceptSet, ulong timeout, ulong maskArg)
        {
            ulong deadline = Forever;
            if (timeout != 0)
            {
                long err = SysTime.ReadTimespec(timeout, out ulong wait);
                if (err != 0) return err;
                deadline = After(wait);
            }
            ulong sigmask = 0;
            if (maskArg != 0)
            {
                if (!UserMemory.Read(maskArg, out sigmask) || !UserMemory.Read(maskArg + 8, out ulong size)) return -Errno.EFAULT;
                if (sigmask != 0 && size != SigsetSize) return -Errno.EINVAL;
                if (sigmask != 0)
                {
                    long err = SetWaitMask(sigmask);
                    if (err != 0) return err;
                }
            }
            long result = SelectFor(nfds, readSet, writeSet, exceptSet, deadline);
            if (sigmask != 0) RestoreMaskUnlessInterrupted(result);
            if (timeout != 0) WriteRemaining(timeout, deadline, timeval: false);
            return result;
        }

        // The fd_sets become poll entries; EBADF for a set bit on a closed
        // descriptor. No descriptor lies past the table, so nfds is cut to it
        // (one 64-bit word per set), as Linux cuts it to its table's size.
        private static long SelectFor(int nfds, ulong readSet, ulong writeSet, ulong exceptSet, ulong deadline)
        {
            if (nfds < 0) return -Errno.EINVAL;
            if (nfds > FileTable.Capacity) nfds = FileTable.Capacity;
            ulong r = 0, w = 0, x = 0;
            ulong bytes = ((ulong)nfds + 7) / 8;
            if ((readSet != 0 && !UserMemory.CopyIn(&r, readSet, bytes)) || (writeSet != 0 && !UserMemory.CopyIn(&w, writeSet, bytes))
                || (exceptSet != 0 && !UserMemory.CopyIn(&x, exceptSet, bytes)))
                return -Errno.EFAULT;
            ulong any = r | w | x;
            if (nfds < 64) any &= (1UL << nfds) - 1;
            var entries = new PollFd[FileTable.Capacity];
            var files = new File[FileTable.Capacity];
            int n = 0;
            long result = 0;
            FileTable table = Processes.Current.Files;
            for (int fd = 0; fd < nfds; fd++)
            {
                ulong bit = 1UL << fd;
                if ((any & bit) == 0) continue;
                File f = table.Acquire(fd);
                if (f == null) { result = -Errno.EBADF; break; }
                files[n] = f;
                int events = ((r & bit) != 0 ? InSet : 0) | ((w & bit) != 0 ? OutSet : 0) | ((x & bit) != 0 ? ExSet : 0);
                entries[n] = new PollFd { Fd = fd, Events = (short)events };
                n++;
            }
            if (result == 0)
            {
                fixed (PollFd* e = entries) result = Wait(e, files, n, deadline);
            }
            for (int i = 0; i < n; i++) files[i].Release();
            if (result >= 0)
            {
                // The sets come back holding only the ready descriptors; the count is of bits.
                ulong rr = 0, ww = 0, xx = 0;
                int bits = 0;
                for (int i = 0; i < n; i++)
                {
                    ulong bit = 1UL << entries[i].Fd;
                    int got = entries[i].Revents;
                    if ((r & bit) != 0 && (got & InSet) != 0) { rr |= bit; bits++; }
                    if ((w & bit) != 0 && (got & OutSet) != 0) { ww |= bit; bits++; }
                    if ((x & bit) != 0 && (got & ExSet) != 0) { xx |= bit; bits++; }
                }
                result = bits;
                if ((readSet != 0 && !UserMemory.CopyOut(readSet, &rr, bytes)) || (writeSet != 0 && !UserMemory.CopyOut(writeSet, &ww, bytes))
                    || (exceptSet != 0 && !UserMemory.CopyOut(exceptSet, &xx, bytes)))
                    result = -Errno.EFAULT;
            }
            KernelHeap.Free(entries);
            KernelHeap.Free(files);
            return result;
        }

        // ---- helpers ------------------------------------------------------

        private static ulong After(ulong waitNs)
        {
            ulong d = Clock.NowNanoseconds + waitNs;
            return d < waitNs ? Forever - 1 : d;
        }

        // The call's mask for the wait; the caller's is kept to come back.
        private static long SetWaitMask(ulong sigmask)
        {
            if (!UserMemory.Read(sigmask, out ulong mask)) return -Errno.EFAULT;
            Thread t = Scheduler.Current;
            t.SigSavedMask = t.SigBlocked;
            t.RestoreSigMask = true;
            ulong flags = Scheduler.Lock();
            SignalSend.SetBlockedLocked(t, mask);
            Scheduler.Unlock(flags);
            return 0;
        }

        // Not interrupted: the caller's mask is back now, so a signal that only
        // the call's mask let in stays pending. Interrupted: signal delivery
        // restores it after the handler frame is built (RestoreSigMask).
        private static void RestoreMaskUnlessInterrupted(long result)
        {
            if (result == -SyscallRestart.ERESTARTNOHAND) return;
            Thread t = Scheduler.Current;
            t.RestoreSigMask = false;
            ulong flags = Scheduler.Lock();
            SignalSend.SetBlockedLocked(t, t.SigSavedMask);
            Scheduler.Unlock(flags);
        }

        // select, pselect6 and ppoll write back what is left of the timeout, as
        // Linux does, so a restarted call waits only for the rest; a zero
        // timeout is left alone, and a failed write changes nothing.
        private static void WriteRemaining(ulong into, ulong deadline, bool timeval)
        {
            if (!UserMemory.Read(into, out long s0) || !UserMemory.Read(into + 8, out long f0) || (s0 == 0 && f0 == 0)) return;
            ulong now = Clock.NowNanoseconds;
            ulong left = now >= deadline ? 0 : deadline - now;
            long seconds = (long)(left / NsPerSecond);
            long fraction = (long)(left % NsPerSecond);
            if (timeval) fraction /= 1000;
            UserMemory.Write(into, seconds);
            UserMemory.Write(into + 8, fraction);
        }
    }
}
