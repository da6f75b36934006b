using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // System V message queues (msgget, msgsnd, msgrcv, msgctl): typed
    // messages copied into the kernel, at most 16 KiB per queue (MSGMNB) and
    // 8 KiB per message (MSGMAX). Queues and their sleepers are guarded by
    // the scheduler lock. A signal ends a wait with EINTR (never restarted,
    // as on Linux); a queue removed under a sleeper is EIDRM.
    public static unsafe class SysMsg
    {
        private const int IPC_PRIVATE = 0, IPC_CREAT = 0x200, IPC_EXCL = 0x400, IPC_NOWAIT = 0x800;
        private const int IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_64 = 0x100;
        private const int MSG_NOERROR = 0x1000, MSG_EXCEPT = 0x2000, MSG_COPY = 0x4000;
        private const int MaxQueues = 32, MaxMessage = 8192, DefaultQueueBytes = 16384;

        private sealed class Message
        {
            public long Type;
            public int Size;
            public byte[] Text;
            public Message Next;
        }

        private sealed class Queue
        {
            public int Id, Key, Mode, Bytes, Count, QueueBytes = DefaultQueueBytes, LastSender, LastReceiver;
            public long STime, RTime, CTime;
            public Message First, Last;
            public WaitQueue Senders = new WaitQueue(), Receivers = new WaitQueue();
            public Queue Next;
        }

        private static Queue _first;
        private static int _count, _lastId;

        private static Queue Find(int id)
        {
            for (Queue q = _first; q != null; q = q.Next) if (q.Id == id) return q;
            return null;
        }

        private static long Now() => SysTime.Now(SysTime.CLOCK_REALTIME, out ulong ns) ? (long)(ns / 1_000_000_000) : 0;

        public static long Get(int key, int flags)
        {
            ulong lockFlags = Scheduler.Lock();
            long result;
            Queue found = null;
            if (key != IPC_PRIVATE) for (Queue q = _first; q != null; q = q.Next) if (q.Key == key) { found = q; break; }
            if (found != null) result = (flags & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL) ? -Errno.EEXIST : found.Id;
            else if (key != IPC_PRIVATE && (flags & IPC_CREAT) == 0) result = -Errno.ENOENT;
            else if (_count >= MaxQueues) result = -Errno.ENOSPC;
            else
            {
                var q = new Queue { Id = ++_lastId, Key = key, Mode = flags & 0x1FF, CTime = Now(), Next = _first };
                _first = q;
                _count++;
                result = q.Id;
            }
            Scheduler.Unlock(lockFlags);
            return result;
        }

        public static long Send(int id, ulong msgp, ulong size, int flags)
        {
            if (size > MaxMessage) return -Errno.EINVAL;
            if (!UserMemory.Read(msgp, out long type)) return -Errno.EFAULT;
            if (type < 1) return -Errno.EINVAL;
            var m = new Message { Type = type, Size = (int)size, Text = new byte[size == 0 ? 1 : (int)size] };
            bool ok;
            fixed (byte* t = m.Text) ok = UserMemory.CopyIn(t, msgp + 8, size);
            if (!ok) { FreeMessage(m); return -Errno.EFAULT; }
            bool slept = false;
            while (true)
            {
                ulong lockFlags = Scheduler.Lock();
                Queue q = Find(id);
                if (q == null) { Scheduler.Unlock(lockFlags); FreeMessage(m); return slept ? -Errno.EIDRM : -Errno.EINVAL; }
                if (q.Bytes + m.Size <= q.QueueBytes)
                {
                    if (q.Last != null) q.Last.Next = m; else q.First = m;
                    q.Last = m;
                    q.Bytes += m.Size;
                    q.Count++;
                    q.LastSender = Processes.Current.Pid;
                    q.STime = Now();
                    Scheduler.WakeLocked(q.Receivers, int.MaxValue);
                    Scheduler.Unlock(lockFlags);
                    return 0;
                }
                if ((flags & IPC_NOWAIT) != 0) { Scheduler.Unlock(lockFlags); FreeMessage(m); return -Errno.EAGAIN; }
                WakeReason r = Scheduler.WaitLocked(q.Senders, 0, lockFlags);
                slept = true;
                if (r == WakeReason.Interrupted) { FreeMessage(m); return -Errno.EINTR; }
            }
        }

        public static long Receive(int id, ulong msgp, ulong size, long type, int flags)
        {
            if ((long)size < 0) return -Errno.EINVAL;
            if ((flags & MSG_COPY) != 0) return -Errno.EINVAL;   // a checkpoint/restore feature: not kept
            bool slept = false;
            while (true)
            {
                ulong lockFlags = Scheduler.Lock();
                Queue q = Find(id);
                if (q == null) { Scheduler.Unlock(lockFlags); return slept ? -Errno.EIDRM : -Errno.EINVAL; }
                Message prev, m = Select(q, type, flags, out prev);
                if (m != null)
                {
                    if ((ulong)m.Size > size && (flags & MSG_NOERROR) == 0) { Scheduler.Unlock(lockFlags); return -Errno.E2BIG; }
                    if (prev != null) prev.Next = m.Next; else q.First = m.Next;
                    if (q.Last == m) q.Last = prev;
                    q.Bytes -= m.Size;
                    q.Count--;
                    q.LastReceiver = Processes.Current.Pid;
                    q.RTime = Now();
                    Scheduler.WakeLocked(q.Senders, int.MaxValue);
                    Scheduler.Unlock(lockFlags);
                    int n = (ulong)m.Size < size ? m.Size : (int)size;
                    bool ok = UserMemory.Write(msgp, m.Type);
                    fixed (byte* t = m.Text) ok = ok && UserMemory.CopyOut(msgp + 8, t, (ulong)n);
                    FreeMessage(m);   // taken off the queue: lost on EFAULT, as on Linux
                    return ok ? n : -Errno.EFAULT;
                }
                if ((flags & IPC_NOWAIT) != 0) { Scheduler.Unlock(lockFlags); return -Errno.ENOMSG; }
                WakeReason r = Scheduler.WaitLocked(q.Receivers, 0, lockFlags);
                slept = true;
                if (r == WakeReason.Interrupted) return -Errno.EINTR;
            }
        }

        // msgtyp 0: the first; > 0: the first of that type (MSG_EXCEPT: of
        // another); < 0: the first of the lowest type up to -msgtyp.
        private static Message Select(Queue q, long type, int flags, out Message prevOut)
        {
            prevOut = null;
            Message best = null, bestPrev = null;
            for (Message m = q.First, prev = null; m != null; prev = m, m = m.Next)
            {
                bool match = type == 0 || (type > 0 && ((flags & MSG_EXCEPT) != 0 ? m.Type != type : m.Type == type))
                             || (type < 0 && m.Type <= -type);
                if (!match) continue;
                if (type >= 0) { prevOut = prev; return m; }
                if (best == null || m.Type < best.Type) { best = m; bestPrev = prev; }
            }
            prevOut = bestPrev;
            return best;
        }

        private struct MsqidDs
        {
            public int Key, Uid, Gid, Cuid, Cgid, Mode;
            public ushort Seq, Pad2;
            public ulong Unused1, Unused2;
            public long STime, RTime, CTime;
            public ulong CBytes, QNum, QBytes;
            public int LSPid, LRPid;
            public ulong Unused4, Unused5;
        }

        public static long Control(int id, int cmd, ulong buffer)
        {
            cmd &= ~IPC_64;
            MsqidDs set = default;
            if (cmd == IPC_SET && !UserMemory.Read(buffer, out set)) return -Errno.EFAULT;
            ulong lockFlags = Scheduler.Lock();
            Queue q = Find(id);
            long result = 0;
            MsqidDs ds = default;
            if (q == null) result = -Errno.EINVAL;
            else if (cmd == IPC_RMID)
            {
                Unlink(q);
                Scheduler.WakeLocked(q.Senders, int.MaxValue);
                Scheduler.WakeLocked(q.Receivers, int.MaxValue);
            }
            else if (cmd == IPC_STAT)
                ds = new MsqidDs
                {
                    Key = q.Key, Mode = q.Mode, STime = q.STime, RTime = q.RTime, CTime = q.CTime, CBytes = (ulong)q.Bytes,
                    QNum = (ulong)q.Count, QBytes = (ulong)q.QueueBytes, LSPid = q.LastSender, LRPid = q.LastReceiver, Seq = (ushort)q.Id,
                };
            else if (cmd == IPC_SET)
            {
                if (set.QBytes == 0 || set.QBytes > int.MaxValue) result = -Errno.EINVAL;
                else { q.QueueBytes = (int)set.QBytes; q.Mode = (q.Mode & ~0x1FF) | (set.Mode & 0x1FF); q.CTime = Now(); }
                Scheduler.WakeLocked(q.Senders, int.MaxValue);
            }
            else result = -Errno.EINVAL;
            Scheduler.Unlock(lockFlags);
            if (result == 0 && cmd == IPC_RMID) Free(q);
            if (result == 0 && cmd == IPC_STAT && !UserMemory.Write(buffer, ds)) result = -Errno.EFAULT;
            return result;
        }

        private static void Unlink(Queue q)
        {
            _count--;
            if (_first == q) { _first = q.Next; return; }
            for (Queue o = _first; o != null; o = o.Next)
                if (o.Next == q) { o.Next = q.Next; return; }
        }

        private static void Free(Queue q)
        {
            while (q.First != null) { Message m = q.First; q.First = m.Next; FreeMessage(m); }
            KernelHeap.Free(q.Senders);
            KernelHeap.Free(q.Receivers);
            KernelHeap.Free(q);
        }

        private static void FreeMessage(Message m)
        {
            KernelHeap.Free(m.Text);
            KernelHeap.Free(m);
        }
    }
}
