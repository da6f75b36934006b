using Sticky.Io;
using Sticky.Proc;
using Sticky.Time;

namespace Sticky.Sys
{
    // epoll: epoll_create/epoll_create1, epoll_ctl, epoll_wait/epoll_pwait,
    // on the readiness poll uses (Readiness.EventsLocked, PollWait): level-
    // triggered by default; EPOLLONESHOT disables an entry once reported
    // until EPOLL_CTL_MOD; EPOLLET reports an event once and again only after
    // it went away (Linux also reports again when more data arrives on a
    // still readable file: a reader that reads until EAGAIN, as Go's
    // netpoller does, sees no difference). Files of the tree and devices
    // cannot be watched (EPERM, as for Linux's files without poll); nor can
    // an epoll file (nesting is not supported: EINVAL). A watched file stays
    // open until EPOLL_CTL_DEL or the epoll file's close (Linux drops the
    // entry when the watched file's last descriptor closes).
    public static unsafe class SysEpoll
    {
        private const int EPOLL_CLOEXEC = 0x80000;
        private const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
        private const uint EPOLLEXCLUSIVE = 1u << 28, EPOLLWAKEUP = 1u << 29;
        private const int MaxEvents = int.MaxValue / 12;   // struct epoll_event is 12 bytes (packed)

        public static long Create(int size) => size <= 0 ? -Errno.EINVAL : Create1(0);

        public static long Create1(int flags)
        {
            if ((flags & ~EPOLL_CLOEXEC) != 0) return -Errno.EINVAL;
            Process p = Processes.Current;
            var file = new File { Kind = FileKind.Epoll, Epoll = new EpollSet() };
            int fd = p.Files.Install(file, (flags & EPOLL_CLOEXEC) != 0, 0, Limits.OpenFiles(p));
            if (fd < 0) file.Release();
            return fd;
        }

        public static long Ctl(int epfd, int op, int fd, ulong userEvent)
        {
            uint events = 0;
            ulong data = 0;
            if (op != EPOLL_CTL_DEL)
            {
                if (!UserMemory.Read(userEvent, out events) || !UserMemory.Read(userEvent + 4, out data)) return -Errno.EFAULT;
            }
            Process p = Processes.Current;
            File ep = p.Files.Acquire(epfd);
            if (ep == null) return -Errno.EBADF;
            File target = p.Files.Acquire(fd);
            long result = target == null ? -Errno.EBADF : CtlFiles(ep, op, fd, target, events, data);
            target?.Release();
            ep.Release();
            return result;
        }

        private static long CtlFiles(File ep, int op, int fd, File target, uint events, ulong data)
        {
            if (target.Kind == FileKind.Inode) return -Errno.EPERM;
            if (ep.Kind != FileKind.Epoll || target == ep || target.Kind == FileKind.Epoll) return -Errno.EINVAL;
            if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD) return -Errno.EINVAL;
            if ((events & EPOLLEXCLUSIVE) != 0 && op == EPOLL_CTL_MOD) return -Errno.EINVAL;
            events = (events & ~EPOLLWAKEUP) | PollWait.POLLERR | PollWait.POLLHUP;   // always reported, as poll's
            EpollSet set = ep.Epoll;

            int[] fds = null; File[] files = null; uint[] evs = null; ulong[] datas = null; uint[] reported = null;
            File dropped = null;
            long result = 0;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                int at = set.Find(fd);
                if (at >= 0 && set.Files[at] != target) at = -1;   // that number names another file now
                if (op == EPOLL_CTL_ADD)
                {
                    if (at >= 0) result = -Errno.EEXIST;
                    else if (set.IsFull && fds == null)
                    {
                        // Bigger arrays are made without the lock, then the check starts again.
                        int capacity = set.Fds == null ? 8 : set.Fds.Length * 2;
                        Scheduler.Unlock(flags);
                        fds = new int[capacity]; files = new File[capacity]; evs = new uint[capacity];
                        datas = new ulong[capacity]; reported = new uint[capacity];
                        continue;
                    }
                    else
                    {
                        if (set.IsFull) set.SwapArrays(ref fds, ref files, ref evs, ref datas, ref reported);
                        int i = set.Count++;
                        target.AddRef();
                        set.Fds[i] = fd; set.Files[i] = target; set.Events[i] = events; set.Data[i] = data;
                        set.Reported[i] = 0;
                    }
                }
                else if (at < 0) result = -Errno.ENOENT;
                else if (op == EPOLL_CTL_DEL) dropped = set.RemoveAt(at);
                else
                {
                    set.Events[at] = events;
                    set.Data[at] = data;
                    set.Reported[at] = 0;
                }
                Scheduler.Unlock(flags);
                break;
            }
            EpollSet.FreeArrays(fds, null, evs, datas, reported);
            if (files != null) Sticky.Mm.KernelHeap.Free(files);
            dropped?.Release();
            if (result == 0 && op != EPOLL_CTL_DEL) PollWakeIfReady();
            return result;
        }

        // A waiter of the set may now have something to report.
        private static void PollWakeIfReady()
        {
            ulong flags = Scheduler.Lock();
            PollWait.WakeLocked();
            Scheduler.Unlock(flags);
        }

        public static long Wait(int epfd, ulong events, int maxEvents, int timeoutMs) =>
            Pwait(epfd, events, maxEvents, timeoutMs, 0, 8);

        public static long Pwait(int epfd, ulong events, int maxEvents, int timeoutMs, ulong sigmask, ulong sigsetSize)
        {
            if (maxEvents <= 0 || maxEvents > MaxEvents) return -Errno.EINVAL;
            if (!UserMemory.IsUserRange(events, (ulong)maxEvents * 12)) return -Errno.EFAULT;
            if (sigmask != 0 && sigsetSize != 8) return -Errno.EINVAL;
            File ep = Processes.Current.Files.Acquire(epfd);
            if (ep == null) return -Errno.EBADF;
            if (ep.Kind != FileKind.Epoll)
            {
                ep.Release();
                return -Errno.EINVAL;
            }
            ulong deadline = timeoutMs < 0 ? ulong.MaxValue : Clock.NowNanoseconds + (ulong)timeoutMs * 1_000_000UL;
            long result;
            if (sigmask == 0) result = Loop(ep.Epoll, events, maxEvents, deadline);
            else if (!UserMemory.Read(sigmask, out ulong mask)) result = -Errno.EFAULT;
            else
            {
                // With the call's signal mask, as ppoll (SysPoll.cs).
                Thread t = Scheduler.Current;
                t.SigSavedMask = t.SigBlocked;
                t.RestoreSigMask = true;
                ulong flags = Scheduler.Lock();
                SignalSend.SetBlockedLocked(t, mask);
                Scheduler.Unlock(flags);
                result = Loop(ep.Epoll, events, maxEvents, deadline);
                if (result != -Sticky.Signal.SyscallRestart.ERESTARTNOHAND)
                {
                    t.RestoreSigMask = false;
                    flags = Scheduler.Lock();
                    SignalSend.SetBlockedLocked(t, t.SigSavedMask);
                    Scheduler.Unlock(flags);
                }
            }
            ep.Release();
            return result;
        }

        private static long Loop(EpollSet set, ulong userEvents, int maxEvents, ulong deadline)
        {
            int room = maxEvents < 64 ? maxEvents : 64;   // at most 64 events a call; the rest next time
            var found = new ulong[room * 2];              // (events, data) pairs
            long ready;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                ready = Collect(set, found, room);
                if (ready > 0 || Clock.NowNanoseconds >= deadline) { Scheduler.Unlock(flags); break; }
                WakeReason why = Scheduler.WaitLocked(PollWait.Waiters, deadline == ulong.MaxValue ? 0 : deadline, flags);
                if (why == WakeReason.Interrupted) { ready = -Sticky.Signal.SyscallRestart.ERESTARTNOHAND; break; }
            }
            for (int i = 0; i < ready; i++)
            {
                if (!UserMemory.Write(userEvents + (ulong)i * 12, (uint)found[2 * i])
                    || !UserMemory.Write(userEvents + (ulong)i * 12 + 4, found[2 * i + 1]))
                {
                    ready = -Errno.EFAULT;
                    break;
                }
            }
            Sticky.Mm.KernelHeap.Free(found);
            return ready;
        }

        // Scheduler lock held: the ready entries, up to `room`.
        private static int Collect(EpollSet set, ulong[] found, int room)
        {
            int n = 0;
            for (int i = 0; i < set.Count && n < room; i++)
            {
                uint wanted = set.Events[i];
                uint now = (uint)Readiness.EventsLocked(set.Files[i]) & wanted & 0xFFFF;
                if ((wanted & EpollSet.EPOLLET) != 0)
                {
                    set.Reported[i] &= now;              // what went away may be reported again
                    uint fresh = now & ~set.Reported[i];
                    set.Reported[i] |= now;
                    now = fresh;
                }
                if (now == 0) continue;
                if ((wanted & EpollSet.EPOLLONESHOT) != 0) set.Events[i] = 0;
                found[2 * n] = now;
                found[2 * n + 1] = set.Data[i];
                n++;
            }
            return n;
        }
    }
}
