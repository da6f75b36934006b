using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;
using Sticky.Time;

namespace Sticky.Sys
{
    // System V semaphores (semget, semop, semtimedop, semctl): sets of
    // counters whose operations apply all together or not at all. Sets,
    // values and sleepers are guarded by the scheduler lock, which sleepers
    // wait under, as a pipe's readers do. SEM_UNDO adjustments are kept per
    // process and applied when it ends. Not kept: SETVAL/SETALL clearing
    // other processes' adjustments.
    public static unsafe class SysSem
    {
        private const int IPC_PRIVATE = 0, IPC_CREAT = 0x200, IPC_EXCL = 0x400, IPC_NOWAIT = 0x800;
        private const int IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_64 = 0x100;
        private const int GETPID = 11, GETVAL = 12, GETALL = 13, GETNCNT = 14, GETZCNT = 15, SETVAL = 16, SETALL = 17;
        private const int SEM_UNDO = 0x1000;
        private const int MaxSets = 128, MaxPerSet = 250, MaxOps = 500, MaxValue = 32767;

        private sealed class Set
        {
            public int Id, Key, Mode, Count;
            public ushort[] Values;
            public int[] LastPids;
            public long OTime, CTime;
            public WaitQueue Sleepers = new WaitQueue();
            public Set Next;
        }

        // One process's SEM_UNDO adjustment of one semaphore.
        public sealed class Undo
        {
            public int SetId, Index, Adjust;
            public Undo Next;
        }

        private struct SemBuf { public ushort Num; public short Op; public short Flags; }

        private static Set _first;
        private static int _count, _lastId;

        private static Set Find(int id)
        {
            for (Set s = _first; s != null; s = s.Next) if (s.Id == id) return s;
            return null;
        }

        private static long Now() => SysTime.Now(SysTime.CLOCK_REALTIME, out ulong ns) ? (long)(ns / 1_000_000_000) : 0;

        public static long Get(int key, int count, int flags)
        {
            if (count < 0 || count > MaxPerSet) return -Errno.EINVAL;
            ulong lockFlags = Scheduler.Lock();
            long result = GetLocked(key, count, flags);
            Scheduler.Unlock(lockFlags);
            return result;
        }

        private static long GetLocked(int key, int count, int flags)
        {
            if (key != IPC_PRIVATE)
                for (Set s = _first; s != null; s = s.Next)
                {
                    if (s.Key != key) continue;
                    if ((flags & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL)) return -Errno.EEXIST;
                    if (count > s.Count) return -Errno.EINVAL;
                    return s.Id;
                }
            if (key != IPC_PRIVATE && (flags & IPC_CREAT) == 0) return -Errno.ENOENT;
            if (count == 0) return -Errno.EINVAL;
            if (_count >= MaxSets) return -Errno.ENOSPC;
            var set = new Set
            {
                Id = ++_lastId, Key = key, Mode = flags & 0x1FF, Count = count, Values = new ushort[count],
                LastPids = new int[count], CTime = Now(), Next = _first,
            };
            _first = set;
            _count++;
            return set.Id;
        }

        public static long Op(int id, ulong sops, ulong nsops, ulong timeout)
        {
            if (nsops == 0) return -Errno.EINVAL;
            if (nsops > MaxOps) return -Errno.E2BIG;
            ulong deadline = 0;
            if (timeout != 0)
            {
                long err = SysTime.ReadTimespec(timeout, out ulong ns);
                if (err != 0) return err;
                deadline = Clock.NowNanoseconds + ns;
                if (deadline < ns) deadline = ulong.MaxValue;
                if (deadline == 0) deadline = 1;
            }
            var ops = new SemBuf[(int)nsops];
            long result;
            fixed (SemBuf* o = ops)
                result = UserMemory.CopyIn(o, sops, nsops * (ulong)sizeof(SemBuf)) ? 0 : -Errno.EFAULT;
            if (result == 0) result = Apply(id, ops, deadline);
            KernelHeap.Free(ops);
            return result;
        }

        private static long Apply(int id, SemBuf[] ops, ulong deadline)
        {
            Process p = Processes.Current;
            bool slept = false;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                Set s = Find(id);
                if (s == null) { Scheduler.Unlock(flags); return slept ? -Errno.EIDRM : -Errno.EINVAL; }
                int blockedAt = -1;
                long result = TryAll(s, ops, p, ref blockedAt);
                if (result != 1) { Scheduler.Unlock(flags); return result; }
                if ((ops[blockedAt].Flags & IPC_NOWAIT) != 0) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                // Sleep until the set changes (every change wakes all sleepers to retry).
                Thread self = Scheduler.Current;
                self.SemWaitIndex = ops[blockedAt].Num;
                self.SemWaitsForZero = ops[blockedAt].Op == 0;
                WakeReason r = Scheduler.WaitLocked(s.Sleepers, deadline, flags);
                slept = true;
                if (r == WakeReason.TimedOut) return -Errno.EAGAIN;
                if (r == WakeReason.Interrupted) return -Errno.EINTR;   // semop is never restarted (signal(7))
            }
        }

        // Scheduler lock held. 0: all applied; 1: would block at `blockedAt`; else -errno.
        private static long TryAll(Set s, SemBuf[] ops, Process p, ref int blockedAt)
        {
            for (int i = 0; i < ops.Length; i++)
                if (ops[i].Num >= s.Count) return -Errno.EFBIG;
            int* values = stackalloc int[s.Count];
            for (int i = 0; i < s.Count; i++) values[i] = s.Values[i];
            for (int i = 0; i < ops.Length; i++)
            {
                int v = values[ops[i].Num], op = ops[i].Op;
                if (op == 0) { if (v != 0) { blockedAt = i; return 1; } continue; }
                if (v + op < 0) { blockedAt = i; return 1; }
                if (v + op > MaxValue) return -Errno.ERANGE;
                values[ops[i].Num] = v + op;
            }
            bool changed = false;
            for (int i = 0; i < ops.Length; i++)
            {
                if ((ops[i].Flags & SEM_UNDO) != 0 && ops[i].Op != 0) AddUndo(p, s.Id, ops[i].Num, -ops[i].Op);
                s.LastPids[ops[i].Num] = p.Pid;
                changed |= ops[i].Op != 0;
            }
            for (int i = 0; i < s.Count; i++) s.Values[i] = (ushort)values[i];
            s.OTime = Now();
            if (changed) Scheduler.WakeLocked(s.Sleepers, int.MaxValue);
            return 0;
        }

        private static void AddUndo(Process p, int setId, int index, int adjust)
        {
            for (Undo u = p.SemUndo; u != null; u = u.Next)
                if (u.SetId == setId && u.Index == index) { u.Adjust += adjust; return; }
            p.SemUndo = new Undo { SetId = setId, Index = index, Adjust = adjust, Next = p.SemUndo };
        }

        // A process ends: its SEM_UNDO adjustments apply (clamped to the
        // semaphore's range, as Linux does) and wake the sets' sleepers.
        public static void ApplyUndo(Process p)
        {
            if (p.SemUndo == null) return;
            ulong flags = Scheduler.Lock();
            while (p.SemUndo != null)
            {
                Undo u = p.SemUndo;
                p.SemUndo = u.Next;
                Set s = Find(u.SetId);
                if (s != null && u.Index < s.Count && u.Adjust != 0)
                {
                    int v = s.Values[u.Index] + u.Adjust;
                    s.Values[u.Index] = (ushort)(v < 0 ? 0 : v > MaxValue ? MaxValue : v);
                    s.LastPids[u.Index] = p.Pid;
                    Scheduler.WakeLocked(s.Sleepers, int.MaxValue);
                }
                KernelHeap.Free(u);
            }
            Scheduler.Unlock(flags);
        }

        private struct SemidDs
        {
            public int Key, Uid, Gid, Cuid, Cgid, Mode;
            public ushort Seq, Pad2;
            public ulong Unused1, Unused2;
            public long OTime;
            public ulong Unused3;
            public long CTime;
            public ulong Unused4;
            public ulong NSems, Unused5, Unused6;
        }

        public static long Control(int id, int index, int cmd, ulong arg)
        {
            cmd &= ~IPC_64;
            // What the call reads from user memory, read before the lock.
            SemidDs set = default;
            ushort[] all = null;
            if (cmd == IPC_SET && !UserMemory.Read(arg, out set)) return -Errno.EFAULT;
            ulong flags = Scheduler.Lock();
            Set s = Find(id);
            if (s == null) { Scheduler.Unlock(flags); return -Errno.EINVAL; }
            int n = s.Count;
            Scheduler.Unlock(flags);
            if (cmd == SETALL)
            {
                all = new ushort[n];
                bool ok;
                fixed (ushort* a = all) ok = UserMemory.CopyIn(a, arg, (ulong)n * 2);
                if (!ok) { KernelHeap.Free(all); return -Errno.EFAULT; }
            }
            long result = 0;
            SemidDs ds = default;
            flags = Scheduler.Lock();
            s = Find(id);
            bool indexed = cmd == GETVAL || cmd == SETVAL || cmd == GETPID || cmd == GETNCNT || cmd == GETZCNT;
            if (s == null) result = -Errno.EINVAL;
            else if (indexed && (index < 0 || index >= s.Count)) result = -Errno.EINVAL;
            else
                switch (cmd)
                {
                    case IPC_RMID:
                        Unlink(s);
                        Scheduler.WakeLocked(s.Sleepers, int.MaxValue);   // they find the set gone: EIDRM
                        break;
                    case IPC_STAT:
                        ds = new SemidDs { Key = s.Key, Mode = s.Mode, OTime = s.OTime, CTime = s.CTime, NSems = (ulong)s.Count, Seq = (ushort)s.Id };
                        break;
                    case IPC_SET: s.Mode = (s.Mode & ~0x1FF) | (set.Mode & 0x1FF); s.CTime = Now(); break;
                    case GETVAL: result = s.Values[index]; break;
                    case GETPID: result = s.LastPids[index]; break;
                    case GETNCNT: result = Sleeping(s, index, false); break;
                    case GETZCNT: result = Sleeping(s, index, true); break;
                    case SETVAL:
                        if ((int)arg < 0 || (int)arg > MaxValue) { result = -Errno.ERANGE; break; }
                        s.Values[index] = (ushort)(int)arg;
                        s.LastPids[index] = Processes.Current.Pid;
                        s.CTime = Now();
                        Scheduler.WakeLocked(s.Sleepers, int.MaxValue);
                        break;
                    case SETALL:
                        for (int i = 0; i < n && result == 0; i++) if (all[i] > MaxValue) result = -Errno.ERANGE;
                        if (result != 0) break;
                        for (int i = 0; i < n; i++) { s.Values[i] = all[i]; s.LastPids[i] = Processes.Current.Pid; }
                        s.CTime = Now();
                        Scheduler.WakeLocked(s.Sleepers, int.MaxValue);
                        break;
                    case GETALL:
                        all = new ushort[n];
                        for (int i = 0; i < n; i++) all[i] = s.Values[i];
                        break;
                    default: result = -Errno.EINVAL; break;
                }
            Scheduler.Unlock(flags);
            if (result == 0 && cmd == IPC_RMID) Free(s);
            if (result == 0 && cmd == IPC_STAT && !UserMemory.Write(arg, ds)) result = -Errno.EFAULT;
            if (result == 0 && cmd == GETALL)
                fixed (ushort* a = all) if (!UserMemory.CopyOut(arg, a, (ulong)n * 2)) result = -Errno.EFAULT;
            if (all != null) KernelHeap.Free(all);
            return result;
        }

        // GETNCNT / GETZCNT: threads asleep on this semaphore, waiting for it to grow / reach zero.
        private static int Sleeping(Set s, int index, bool forZero)
        {
            int n = 0;
            for (Thread t = s.Sleepers.Head; t != null; t = t.NextWaiter)
                if (t.SemWaitIndex == index && t.SemWaitsForZero == forZero) n++;
            return n;
        }

        private static void Unlink(Set s)
        {
            _count--;
            if (_first == s) { _first = s.Next; return; }
            for (Set o = _first; o != null; o = o.Next)
                if (o.Next == s) { o.Next = s.Next; return; }
        }

        // After IPC_RMID, outside the lock: its sleepers were woken and find it gone.
        private static void Free(Set s)
        {
            // A woken sleeper may still be on its way out of WaitLocked; it no
            // longer touches the queue (MakeRunnable removed it), only Find.
            KernelHeap.Free(s.Values);
            KernelHeap.Free(s.LastPids);
            KernelHeap.Free(s.Sleepers);
            KernelHeap.Free(s);
        }
    }
}
