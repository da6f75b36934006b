using Sticky.Io;
using Sticky.Proc;
using Sticky.Time;

namespace Sticky.Sys
{
    // poll and ppoll: which of some files are ready, waiting until one is or
    // the timeout passes (Linux's rules: a negative fd is skipped, a closed
    // one is POLLNVAL, POLLERR/POLLHUP/POLLNVAL are reported unasked). Pipes
    // and the terminal say so under the scheduler lock, so the check and the
    // sleep on PollWait are one step; files of the tree and devices are
    // always ready. A signal ends the wait with ERESTARTNOHAND (EINTR after a
    // handler, else the call starts again, its timeout too). ppoll waits
    // with its signal mask, as sigsuspend does: interrupted, the caller's mask
    // comes back after the handler; otherwise at once, so a signal only the
    // call's mask let through stays pending.
    public static unsafe class SysPoll
    {
        private const int MaxFds = 1024;   // RLIMIT_NOFILE's soft limit: more is EINVAL

        public static long Poll(ulong fds, ulong count, int timeoutMs)
        {
            ulong deadline = timeoutMs < 0 ? ulong.MaxValue : Clock.NowNanoseconds + (ulong)timeoutMs * 1_000_000UL;
            return Wait(fds, count, deadline);
        }

        public static long Ppoll(ulong fds, ulong count, ulong timeout, ulong sigmask, ulong sigsetSize)
        {
            if (sigmask != 0 && sigsetSize != 8) return -Errno.EINVAL;
            ulong deadline = ulong.MaxValue;
            if (timeout != 0)
            {
                if (!UserMemory.Read(timeout, out long sec) || !UserMemory.Read(timeout + 8, out long nsec)) return -Errno.EFAULT;
                if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) return -Errno.EINVAL;
                ulong span = sec > 1L << 32 ? ulong.MaxValue / 2 : (ulong)sec * 1_000_000_000UL + (ulong)nsec;
                deadline = Clock.NowNanoseconds + span;
            }
            if (sigmask == 0) return Wait(fds, count, deadline);
            if (!UserMemory.Read(sigmask, out ulong mask)) return -Errno.EFAULT;
            Thread t = Scheduler.Current;
            t.SigSavedMask = t.SigBlocked;
            t.RestoreSigMask = true;
            ulong flags = Scheduler.Lock();
            SignalSend.SetBlockedLocked(t, mask);
            Scheduler.Unlock(flags);
            long result = Wait(fds, count, deadline);
            if (result != -Sticky.Signal.SyscallRestart.ERESTARTNOHAND)
            {
                t.RestoreSigMask = false;
                flags = Scheduler.Lock();
                SignalSend.SetBlockedLocked(t, t.SigSavedMask);
                Scheduler.Unlock(flags);
            }
            return result;
        }

        private static long Wait(ulong fds, ulong count, ulong deadline)
        {
            if (count > MaxFds) return -Errno.EINVAL;
            if (!UserMemory.IsUserRange(fds, count * 8)) return -Errno.EFAULT;
            int n = (int)count;
            // struct pollfd { int fd; short events; short revents; }
            var table = n > 0 ? new ulong[n] : null;
            long result;
            fixed (ulong* entries = table)
            {
                if (n > 0 && !UserMemory.CopyIn(entries, fds, count * 8)) result = -Errno.EFAULT;
                else result = Loop(entries, n, deadline);
                if (result >= 0 && n > 0 && !UserMemory.CopyOut(fds, entries, count * 8)) result = -Errno.EFAULT;
            }
            if (table != null) Sticky.Mm.KernelHeap.Free(table);
            return result;
        }

        private static long Loop(ulong* entries, int n, ulong deadline)
        {
            Process p = Processes.Current;
            var files = n > 0 ? new File[n] : null;   // one reference each for the whole call
            for (int i = 0; i < n; i++)
            {
                int fd = (int)(uint)entries[i];
                files[i] = fd >= 0 ? p.Files.Acquire(fd) : null;
            }
            long ready;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                ready = Check(entries, files, n);
                if (ready > 0 || Clock.NowNanoseconds >= deadline) { Scheduler.Unlock(flags); break; }
                WakeReason why = Scheduler.WaitLocked(PollWait.Waiters, deadline == ulong.MaxValue ? 0 : deadline, flags);
                if (why == WakeReason.Interrupted) { ready = -Sticky.Signal.SyscallRestart.ERESTARTNOHAND; break; }
            }
            for (int i = 0; i < n; i++) files[i]?.Release();
            if (files != null) Sticky.Mm.KernelHeap.Free(files);
            return ready;
        }

        // Scheduler lock held: fills each revents; returns how many are non-zero.
        private static long Check(ulong* entries, File[] files, int n)
        {
            long count = 0;
            for (int i = 0; i < n; i++)
            {
                int fd = (int)(uint)entries[i];
                int events = (int)(ushort)(entries[i] >> 32);
                int revents = 0;
                if (fd >= 0)
                {
                    revents = files[i] == null ? PollWait.POLLNVAL
                            : Readiness(files[i]) & (events | PollWait.POLLERR | PollWait.POLLHUP);
                }
                entries[i] = (entries[i] & 0x0000_FFFF_FFFF_FFFFUL) | ((ulong)(ushort)revents << 48);
                if (revents != 0) count++;
            }
            return count;
        }

        internal static int Readiness(File f)
        {
            const int In = PollWait.POLLIN | PollWait.POLLRDNORM, Out = PollWait.POLLOUT | PollWait.POLLWRNORM;
            int r;
            switch (f.Kind)
            {
                case FileKind.Console: r = Sticky.Tty.Terminal.PollLocked(); break;
                case FileKind.PipeReader: r = f.Pipe.PollLocked(reader: true); break;
                case FileKind.PipeWriter: r = f.Pipe.PollLocked(reader: false); break;
                case FileKind.KernelConsole: r = PollWait.POLLOUT; break;
                default: r = PollWait.POLLIN | PollWait.POLLOUT; break;   // files of the tree, devices: never wait
            }
            if ((r & PollWait.POLLIN) != 0) r |= In;
            if ((r & PollWait.POLLOUT) != 0) r |= Out;
            return r;
        }
    }
}
