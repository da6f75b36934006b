using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Sync;

namespace Sticky.Sys
{
    // System V shared memory (shmget, shmat, shmdt, shmctl): a segment is a
    // SharedMemoryObject, the same backing MAP_SHARED memory has, so a
    // futex in it is keyed by (object, page, offset) in every process and
    // every design. The table holds one reference per segment; each
    // attachment is a shared region holding its own (fork copies it), so
    // shm_nattch is the object's count less the table's. IPC_RMID marks the
    // segment SHM_DEST (its key goes); it and its memory go with the last
    // detach: shmdt, or the exit of the last process attached (SweepRemoved,
    // from process teardown). A segment nobody removes outlives its
    // processes, as on Linux.
    public static unsafe class SysShm
    {
        private const int IPC_PRIVATE = 0, IPC_CREAT = 0x200, IPC_EXCL = 0x400;
        private const int IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_64 = 0x100;
        private const int SHM_DEST = 0x200;
        private const int SHM_RDONLY = 0x1000, SHM_RND = 0x2000, SHM_REMAP = 0x4000, SHM_EXEC = 0x8000;
        private const int MaxSegments = 128;
        private const ulong MaxSize = 1UL << 30;

        private sealed class Segment
        {
            public int Id, Key, Mode, CreatorPid, LastPid;
            public ulong Size;
            public long CTime, ATime, DTime;
            public SharedMemoryObject Object;
            public Segment Next;
        }

        private static Segment _first;
        private static int _count, _lastId;
        // The table. A sleeping lock: attach and detach take a process's space
        // lock inside it (and detach's munmap may wait for a TLB shootdown).
        private static Mutex _lock;

        public static void Init() => _lock = new Mutex();

        private static Segment Find(int id)
        {
            for (Segment s = _first; s != null; s = s.Next) if (s.Id == id) return s;
            return null;
        }

        private static long Now() => SysTime.Now(SysTime.CLOCK_REALTIME, out ulong ns) ? (long)(ns / 1_000_000_000) : 0;

        public static long Get(int key, ulong size, int flags)
        {
            _lock.Acquire();
            long result = GetLocked(key, size, flags);
            _lock.Release();
            return result;
        }

        private static long GetLocked(int key, ulong size, int flags)
        {
            if (key != IPC_PRIVATE)
                for (Segment s = _first; s != null; s = s.Next)
                {
                    if (s.Key != key || (s.Mode & SHM_DEST) != 0) continue;
                    if ((flags & (IPC_CREAT | IPC_EXCL)) == (IPC_CREAT | IPC_EXCL)) return -Errno.EEXIST;
                    if (size > s.Size) return -Errno.EINVAL;
                    return s.Id;
                }
            if (key != IPC_PRIVATE && (flags & IPC_CREAT) == 0) return -Errno.ENOENT;
            if (size == 0 || size > MaxSize) return -Errno.EINVAL;
            if (_count >= MaxSegments) return -Errno.ENOSPC;
            ulong pages = Paging.AlignUp(size) >> Paging.PageShift;
            if (pages > KernelMemory.Frames.FreeFrames) return -Errno.ENOMEM;
            var seg = new Segment
            {
                Id = ++_lastId, Key = key, Mode = flags & 0x1FF, Size = size, CreatorPid = Processes.Current.Pid,
                CTime = Now(), Object = new SharedMemoryObject(pages), Next = _first,
            };
            _first = seg;
            _count++;
            return seg.Id;
        }

        public static long Attach(int id, ulong address, int flags)
        {
            if ((address & Paging.PageMask) != 0)
            {
                if ((flags & SHM_RND) == 0) return -Errno.EINVAL;
                address = Paging.AlignDown(address);
            }
            Protection prot = (flags & SHM_RDONLY) != 0 ? Protection.Read : Protection.ReadWrite;
            if ((flags & SHM_EXEC) != 0) prot |= Protection.Execute;
            // With an address: exactly there (SHM_REMAP may replace what is
            // mapped, else an overlap is EINVAL); without: anywhere.
            int mmapFlags = address == 0 ? 0 : (flags & SHM_REMAP) != 0 ? 0x10 : 0x100000;
            Process p = Processes.Current;
            _lock.Acquire();
            Segment s = Find(id);
            long result;
            if (s == null) result = -Errno.EINVAL;
            else
            {
                var locked = p.LockSpace();
                result = SysMemory.Place(p, address, Paging.AlignUp(s.Size), prot, mmapFlags, s.Object, 0);
                Process.UnlockSpace(locked);
                if (result == -Errno.EEXIST) result = -Errno.EINVAL;
                if (result >= 0) { s.ATime = Now(); s.LastPid = p.Pid; }
            }
            _lock.Release();
            return result;
        }

        // Detaches the segment attached at exactly `address`.
        public static long Detach(ulong address)
        {
            if ((address & Paging.PageMask) != 0) return -Errno.EINVAL;
            Process p = Processes.Current;
            _lock.Acquire();
            var locked = p.LockSpace();
            long result = -Errno.EINVAL;
            var va = new VirtualAddress(address);
            if (p.Space.FindRegion(va, out Region r) && r.Start.Value == address && r.IsShared)
            {
                for (Segment s = _first; s != null; s = s.Next)
                {
                    if (s.Object != r.Backing) continue;
                    p.Space.RemoveRange(r.Start, r.Length);
                    s.DTime = Now();
                    s.LastPid = p.Pid;
                    result = 0;
                    if ((s.Mode & SHM_DEST) != 0 && s.Object.RefCount == 1) Destroy(s);
                    break;
                }
            }
            Process.UnlockSpace(locked);
            _lock.Release();
            return result;
        }

        private struct IdDs
        {
            public int Key, Uid, Gid, Cuid, Cgid, Mode;
            public ushort Seq, Pad2;
            public ulong Unused1, Unused2;
            public ulong SegSize;
            public long ATime, DTime, CTime;
            public int Cpid, Lpid;
            public ulong Nattch, Unused4, Unused5;
        }

        public static long Control(int id, int cmd, ulong buffer)
        {
            cmd &= ~IPC_64;
            _lock.Acquire();
            Segment s = Find(id);
            long result = 0;
            IdDs ds = default;
            if (s == null) result = -Errno.EINVAL;
            else if (cmd == IPC_RMID)
            {
                s.Mode |= SHM_DEST;
                s.Key = IPC_PRIVATE;
                if (s.Object.RefCount == 1) Destroy(s);
            }
            else if (cmd == IPC_STAT)
                ds = new IdDs
                {
                    Key = s.Key, Mode = s.Mode, SegSize = s.Size, ATime = s.ATime, DTime = s.DTime, CTime = s.CTime,
                    Cpid = s.CreatorPid, Lpid = s.LastPid, Nattch = s.Object.RefCount - 1, Seq = (ushort)s.Id,
                };
            else if (cmd != IPC_SET) result = -Errno.EINVAL;
            _lock.Release();
            if (result != 0 || cmd == IPC_RMID) return result;
            if (cmd == IPC_STAT) return UserMemory.Write(buffer, ds) ? 0 : -Errno.EFAULT;
            // IPC_SET: the permission bits (everyone is root: nothing else to check).
            if (!UserMemory.Read(buffer, out IdDs set)) return -Errno.EFAULT;
            _lock.Acquire();
            s = Find(id);
            if (s != null) { s.Mode = (s.Mode & ~0x1FF) | (set.Mode & 0x1FF); s.CTime = Now(); }
            _lock.Release();
            return s != null ? 0 : -Errno.EINVAL;
        }

        // Process teardown: removed segments whose last attachment just went.
        public static void SweepRemoved()
        {
            if (_first == null) return;
            _lock.Acquire();
            for (Segment s = _first; s != null;)
            {
                Segment next = s.Next;
                if ((s.Mode & SHM_DEST) != 0 && s.Object.RefCount == 1) Destroy(s);
                s = next;
            }
            _lock.Release();
        }

        // Table lock held.
        private static void Destroy(Segment s)
        {
            Unlink(s);
            s.Object.Release(KernelMemory.Frames);
            KernelHeap.Free(s);
        }

        private static void Unlink(Segment s)
        {
            _count--;
            if (_first == s) { _first = s.Next; return; }
            for (Segment o = _first; o != null; o = o.Next)
                if (o.Next == s) { o.Next = s.Next; return; }
        }
    }
}
