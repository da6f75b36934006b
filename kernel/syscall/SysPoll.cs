using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;
using Sticky.Time;

namespace Sticky.Sys
{
    // poll, ppoll, select, pselect6: the files are looked at under the
    // scheduler lock, and the caller sleeps on IoEvents until something
    // changes, a deadline passes, or a signal comes (EINTR, never restarted,
    // as Linux's poll and select after a handler). ppoll and pselect6 set
    // their signal mask for the wait; it goes back on the way out, after
    // the handler of a signal that ended the wait (as rt_sigsuspend).
    public static unsafe class SysPoll
    {
        private const ulong NsPerSecond = 1_000_000_000;
        private const ulong SigsetSize = 8;
        private const ulong Forever = ulong.MaxValue;
        private const int AlwaysReported = IoEvents.POLLERR | IoEvents.POLLHUP | IoEvents.POLLNVAL;

        private struct PollFd { public int Fd; public short Events, Revents; }

        // poll(fds, nfds, timeout in ms; negative: forever).
        public static long Poll(ulong fds, ulong count, int timeoutMs)
        {
            ulong wait = timeoutMs < 0 ? Forever : (ulong)timeoutMs * 1_000_000;
            return PollFor(fds, count, wait);
        }

        // ppoll(fds, nfds, timespec or null, sigmask or null, sigsetsize).
        public static long Ppoll(ulong fds, ulong count, ulong timeout, ulong sigmask, ulong sigsetSize)
        {
            ulong wait = Forever;
            if (timeout != 0)
            {
                long err = SysTime.ReadTimespec(timeout, out wait);
                if (err != 0) return err;
            }
            if (sigmask != 0)
            {
                long err = SetWaitMask(sigmask, sigsetSize);
                if (err != 0) return err;
            }
            ulong start = Clock.NowNanoseconds;
            long result = PollFor(fds, count, wait);
            if (timeout != 0 && (result >= 0 || result == -Errno.EINTR)) WriteRemaining(timeout, start, wait, timeval: false);
            return result;
        }

        private static long PollFor(ulong fds, ulong count, ulong waitNs)
        {
            if (count > Processes.Current.Limits.Soft(ResourceLimits.NOFILE)) return -Errno.EINVAL;
            int n = (int)count;
            if (!UserMemory.IsUserRange(fds, count * 8)) return -Errno.EFAULT;
            var entries = new PollFd[n > 0 ? n : 1];
            var files = new File[n > 0 ? n : 1];
            long result;
            fixed (PollFd* e = entries)
            {
                if (!UserMemory.CopyIn(e, fds, count * 8)) result = -Errno.EFAULT;
                else
                {
                    FileTable table = Processes.Current.Files;
                    for (int i = 0; i < n; i++) files[i] = e[i].Fd >= 0 ? table.Acquire(e[i].Fd) : null;
                    result = Wait(e, files, n, waitNs);
                    for (int i = 0; i < n; i++) files[i]?.Release();
                    // Linux writes every revents back, even after a signal.
                    if (result >= 0 || result == -Errno.EINTR)
                        for (int i = 0; i < n && result != -Errno.EFAULT; i++)
                            if (!UserMemory.Write(fds + (ulong)i * 8 + 6, e[i].Revents)) result = -Errno.EFAULT;
                }
            }
            KernelHeap.Free(entries);
            KernelHeap.Free(files);
            return result;
        }

        private static long Wait(PollFd* e, File[] files, int n, ulong waitNs)
        {
            ulong deadline = Deadline(waitNs);
            while (true)
            {
                ulong flags = Scheduler.Lock();
                int ready = 0;
                for (int i = 0; i < n; i++)
                {
                    e[i].Revents = 0;
                    if (e[i].Fd < 0) continue;
                    int events = files[i] == null ? IoEvents.POLLNVAL : Readiness.EventsLocked(files[i]);
                    e[i].Revents = (short)(events & ((ushort)e[i].Events | AlwaysReported));
                    if (e[i].Revents != 0) ready++;
                }
                if (ready > 0 || waitNs == 0) { Scheduler.Unlock(flags); return ready; }
                WakeReason why = Scheduler.WaitLocked(IoEvents.SleepersLocked, deadline, flags);
                if (why == WakeReason.Interrupted) return -Errno.EINTR;
                if (why == WakeReason.TimedOut) waitNs = 0;   // one last look
            }
        }

        // 0 for forever (WaitLocked's "no deadline").
        private static ulong Deadline(ulong waitNs)
        {
            if (waitNs == Forever || waitNs == 0) return 0;
            ulong d = Clock.NowNanoseconds + waitNs;
            return d < waitNs ? 0 : d;
        }

        // select(nfds, readfds, writefds, exceptfds, timeval or null).
        public static long Select(int nfds, ulong readSet, ulong writeSet, ulong exceptSet, ulong timeval)
        {
            ulong wait = Forever;
            if (timeval != 0)
            {
                if (!UserMemory.Read(timeval, out long seconds) || !UserMemory.Read(timeval + 8, out long micros)) return -Errno.EFAULT;
                if (seconds < 0 || micros < 0) return -Errno.EINVAL;
                // Linux normalises a large tv_usec rather than refusing it.
                ulong s = (ulong)seconds + (ulong)micros / 1_000_000;
                wait = s > (Forever - NsPerSecond) / NsPerSecond ? Forever - 1 : s * NsPerSecond + (ulong)micros % 1_000_000 * 1000;
            }
            ulong start = Clock.NowNanoseconds;
            long result = SelectFor(nfds, readSet, writeSet, exceptSet, wait);
            if (timeval != 0 && (result >= 0 || result == -Errno.EINTR)) WriteRemaining(timeval, start, wait, timeval: true);
            return result;
        }

        // pselect6(nfds, r, w, e, timespec or null, {sigmask pointer, size} or null).
        public static long Pselect6(int nfds, ulong readSet, ulong writeSet, ulong exceptSet, ulong timeout, ulong maskArg)
        {
            ulong wait = Forever;
            if (timeout != 0)
            {
                long err = SysTime.ReadTimespec(timeout, out wait);
                if (err != 0) return err;
            }
            if (maskArg != 0)
            {
                if (!UserMemory.Read(maskArg, out ulong sigmask) || !UserMemory.Read(maskArg + 8, out ulong size)) return -Errno.EFAULT;
                if (sigmask != 0)
                {
                    long err = SetWaitMask(sigmask, size);
                    if (err != 0) return err;
                }
            }
            ulong start = Clock.NowNanoseconds;
            long result = SelectFor(nfds, readSet, writeSet, exceptSet, wait);
            if (timeout != 0 && (result >= 0 || result == -Errno.EINTR)) WriteRemaining(timeout, start, wait, timeval: false);
            return result;
        }

        // The fd_sets become poll entries (POLLIN for read, POLLOUT for write,
        // POLLPRI for except); EBADF for a set bit on a closed descriptor.
        private static long SelectFor(int nfds, ulong readSet, ulong writeSet, ulong exceptSet, ulong waitNs)
        {
            if (nfds < 0) return -Errno.EINVAL;
            if (nfds > FileTable.Capacity) nfds = FileTable.Capacity;   // no descriptor lies beyond
            ulong* r = stackalloc ulong[1], w = stackalloc ulong[1], x = stackalloc ulong[1];
            r[0] = w[0] = x[0] = 0;
            ulong bytes = ((ulong)nfds + 7) / 8;
            if (readSet != 0 && !UserMemory.CopyIn(r, readSet, bytes)) return -Errno.EFAULT;
            if (writeSet != 0 && !UserMemory.CopyIn(w, writeSet, bytes)) return -Errno.EFAULT;
            if (exceptSet != 0 && !UserMemory.CopyIn(x, exceptSet, bytes)) return -Errno.EFAULT;
            ulong any = r[0] | w[0] | x[0];
            if (nfds < 64) any &= (1UL << nfds) - 1;
            int n = 0;
            var entries = new PollFd[64];
            var files = new File[64];
            long result = 0;
            FileTable table = Processes.Current.Files;
            for (int fd = 0; fd < nfds && result == 0; fd++)
            {
                if ((any & (1UL << fd)) == 0) continue;
                File f = table.Acquire(fd);
                if (f == null) { result = -Errno.EBADF; break; }
                files[n] = f;
                short events = 0;
                if ((r[0] & (1UL << fd)) != 0) events |= (short)(IoEvents.Readable | IoEvents.POLLHUP | IoEvents.POLLERR);
                if ((w[0] & (1UL << fd)) != 0) events |= (short)(IoEvents.Writable | IoEvents.POLLERR);
                if ((x[0] & (1UL << fd)) != 0) events |= IoEvents.POLLPRI;
                entries[n] = new PollFd { Fd = fd, Events = events };
                n++;
            }
            if (result == 0)
            {
                fixed (PollFd* e = entries) result = Wait(e, files, n, waitNs);
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
                    if ((r[0] & bit) != 0 && (got & (IoEvents.Readable | IoEvents.POLLHUP | IoEvents.POLLERR)) != 0) { rr |= bit; bits++; }
                    if ((w[0] & bit) != 0 && (got & (IoEvents.Writable | IoEvents.POLLERR)) != 0) { ww |= bit; bits++; }
                    if ((x[0] & bit) != 0 && (got & IoEvents.POLLPRI) != 0) { xx |= bit; bits++; }
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

        // ppoll/pselect6's mask for the wait; the old one comes back on the way to user mode.
        private static long SetWaitMask(ulong sigmask, ulong size)
        {
            if (size != SigsetSize) return -Errno.EINVAL;
            if (!UserMemory.Read(sigmask, out ulong mask)) return -Errno.EFAULT;
            Thread t = Scheduler.Current;
            t.SigSavedMask = t.SigBlocked;
            t.RestoreSigMask = true;
            ulong flags = Scheduler.Lock();
            SignalSend.SetBlockedLocked(t, mask);
            Scheduler.Unlock(flags);
            return 0;
        }

        // select and pselect6 (and ppoll) tell what is left of the timeout, as Linux does.
        private static void WriteRemaining(ulong into, ulong start, ulong wait, bool timeval)
        {
            ulong spent = Clock.NowNanoseconds - start;
            ulong left = spent >= wait ? 0 : wait - spent;
            long seconds = (long)(left / NsPerSecond);
            long fraction = (long)(left % NsPerSecond);
            if (timeval) fraction /= 1000;
            UserMemory.Write(into, seconds);
            UserMemory.Write(into + 8, fraction);
        }
    }
}
