using Sticky.Fs;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;

namespace Sticky.Io
{
    // Advisory file locks, as Linux keeps them:
    // - POSIX record locks (fcntl F_SETLK, F_SETLKW, F_GETLK): byte ranges
    //   owned by a process (its descriptor table), gone when the process
    //   closes any descriptor of the file, or exits;
    // - open-file-description locks (F_OFD_*): the same ranges, owned by the
    //   open file;
    // - flock(2): the whole file, owned by the open file, gone with its last close.
    // flock and record locks do not see each other. Every lock of every file
    // is on one list under the scheduler lock, and a blocked locker waits on
    // one queue that every unlock wakes.
    public static class FileLocks
    {
        public const short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
        public const ulong ToEnd = ulong.MaxValue;

        private sealed class Lock
        {
            public Inode Inode;
            public object Owner;      // FileTable (POSIX) or File (OFD, flock)
            public bool Flock;
            public int Pid;           // F_GETLK's l_pid: the process that set it; -1 for OFD locks
            public short Type;
            public ulong Start, End;  // [Start, End); End == ToEnd: to the end of any file
            public Lock Next;
        }

        private static Lock _all;
        private static WaitQueue _waiters;

        public static void Init() => _waiters = new WaitQueue();

        // Locks alive (the leak check could count them; tests read it).
        public static int Count
        {
            get
            {
                ulong flags = Scheduler.Lock();
                int n = 0;
                for (Lock l = _all; l != null; l = l.Next) n++;
                Scheduler.Unlock(flags);
                return n;
            }
        }

        private static bool Overlaps(Lock l, ulong start, ulong end) => l.Start < end && start < l.End;

        // Scheduler lock held: the first lock of another owner that a `type` lock over [start, end) would collide with.
        private static Lock ConflictLocked(Inode inode, object owner, bool flock, short type, ulong start, ulong end)
        {
            for (Lock l = _all; l != null; l = l.Next)
                if (l.Inode == inode && l.Flock == flock && l.Owner != owner && Overlaps(l, start, end)
                    && (type == F_WRLCK || l.Type == F_WRLCK))
                    return l;
            return null;
        }

        // Sets (F_RDLCK, F_WRLCK) or clears (F_UNLCK) `owner`'s lock over [start, end).
        // 0, -EAGAIN (taken, and !wait), or -ERESTARTSYS (a signal while waiting).
        public static int Set(Inode inode, object owner, bool flock, int pid, short type, ulong start, ulong end, bool wait)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (type != F_UNLCK && ConflictLocked(inode, owner, flock, type, start, end) != null)
                {
                    if (!wait) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                    if (Scheduler.WaitLocked(_waiters, 0, flags) == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
                    continue;
                }
                // Our own locks over the range go; what sticks out on either side
                // stays (an owner's locks never overlap, so one piece each side at most).
                Lock prev = null, left = null, right = null;
                for (Lock l = _all; l != null;)
                {
                    Lock next = l.Next;
                    if (l.Inode == inode && l.Owner == owner && l.Flock == flock && Overlaps(l, start, end))
                    {
                        if (prev == null) _all = next; else prev.Next = next;
                        ulong oldEnd = l.End;
                        if (l.Start < start) { left = l; l.End = start; }
                        if (oldEnd > end) { right = left == l ? Copy(l) : l; right.Start = end; right.End = oldEnd; }
                        if (left != l && right != l) KernelHeap.Free(l);
                    }
                    else prev = l;
                    l = next;
                }
                if (left != null) { left.Next = _all; _all = left; }
                if (right != null) { right.Next = _all; _all = right; }
                if (type != F_UNLCK) Insert(inode, owner, flock, pid, type, start, end);
                Scheduler.WakeLocked(_waiters, int.MaxValue);
                Scheduler.Unlock(flags);
                return 0;
            }
        }

        private static Lock Copy(Lock l) =>
            new Lock { Inode = l.Inode, Owner = l.Owner, Flock = l.Flock, Pid = l.Pid, Type = l.Type, Start = l.Start, End = l.End };

        // Scheduler lock held: a new lock at the head of the list.
        private static void Insert(Inode inode, object owner, bool flock, int pid, short type, ulong start, ulong end)
        {
            _all = new Lock { Inode = inode, Owner = owner, Flock = flock, Pid = pid, Type = type, Start = start, End = end, Next = _all };
        }

        // F_GETLK: the lock that would block a `type` lock over [start, end), if any.
        public static bool Test(Inode inode, object owner, short type, ulong start, ulong end,
            out short heldType, out ulong heldStart, out ulong heldEnd, out int heldPid)
        {
            ulong flags = Scheduler.Lock();
            Lock l = ConflictLocked(inode, owner, false, type, start, end);
            heldType = l != null ? l.Type : F_UNLCK;
            heldStart = l != null ? l.Start : 0;
            heldEnd = l != null ? l.End : 0;
            heldPid = l != null ? l.Pid : 0;
            Scheduler.Unlock(flags);
            return l != null;
        }

        // Every lock `owner` holds on `inode` (a process closing a descriptor of it),
        // or on any file (inode null: an open file's last close, a table's end).
        public static void DropOwner(object owner, Inode inode)
        {
            ulong flags = Scheduler.Lock();
            bool any = false;
            Lock prev = null;
            for (Lock l = _all; l != null;)
            {
                Lock next = l.Next;
                if (l.Owner == owner && (inode == null || l.Inode == inode))
                {
                    if (prev == null) _all = next; else prev.Next = next;
                    KernelHeap.Free(l);
                    any = true;
                }
                else prev = l;
                l = next;
            }
            if (any) Scheduler.WakeLocked(_waiters, int.MaxValue);
            Scheduler.Unlock(flags);
        }
    }
}
