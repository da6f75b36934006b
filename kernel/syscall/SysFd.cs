using Sticky.Io;
using Sticky.Proc;

namespace Sticky.Sys
{
    // Descriptors themselves: dup, dup2, dup3, fcntl (duplicates, the
    // close-on-exec bit, the status flags, record locks: FileLocks), flock.
    public static unsafe class SysFd
    {
        private const int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6,
            F_SETLKW = 7, F_DUPFD_CLOEXEC = 1030, FD_CLOEXEC = 1, F_UNLCK = 2;
        private const int O_CLOEXEC = 0x80000;
        // The status flags F_SETFL may change (Linux: O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME).
        private const int Settable = File.O_APPEND | File.O_NONBLOCK | 0x2000 | 0x4000 | 0x40000;

        public static long Dup(int fd) => Duplicate(fd, 0, false);

        public static long Dup2(int fd, int to)
        {
            if (fd == to) return Processes.Current.Files.IsOpen(fd) ? fd : -Errno.EBADF;
            return Dup3(fd, to, 0);
        }

        public static long Dup3(int fd, int to, int flags)
        {
            if ((flags & ~O_CLOEXEC) != 0 || fd == to) return -Errno.EINVAL;
            Process p = Processes.Current;
            File f = p.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            if ((uint)to >= (uint)Limits.OpenFiles(p)) { f.Release(); return -Errno.EBADF; }
            return p.Files.InstallAt(to, f, (flags & O_CLOEXEC) != 0);   // takes over our reference
        }

        private static long Duplicate(int fd, int from, bool cloexec)
        {
            Process p = Processes.Current;
            File f = p.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            int limit = Limits.OpenFiles(p);
            if (from < 0 || from >= limit) { f.Release(); return -Errno.EINVAL; }
            int result = p.Files.Install(f, cloexec, from, limit);
            if (result < 0) f.Release();
            return result;
        }

        public static long Fcntl(int fd, int command, ulong argument)
        {
            Process p = Processes.Current;
            switch (command)
            {
                case F_DUPFD: return Duplicate(fd, (int)argument, false);
                case F_DUPFD_CLOEXEC: return Duplicate(fd, (int)argument, true);
            }
            File f = p.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result;
            switch (command)
            {
                case F_GETFD: result = p.Files.CloseOnExec(fd) ? FD_CLOEXEC : 0; break;
                case F_SETFD: p.Files.SetCloseOnExec(fd, (argument & FD_CLOEXEC) != 0); result = 0; break;
                case F_GETFL: result = f.Flags; break;
                case F_SETFL:
                    if (f.IsPath) { result = -Errno.EBADF; break; }
                    f.Flags = (f.Flags & ~Settable) | ((int)argument & Settable);
                    result = 0;
                    break;
                case F_GETLK: case F_OFD_GETLK: result = GetLock(p, f, argument, command == F_OFD_GETLK); break;
                case F_SETLK: case F_SETLKW: case F_OFD_SETLK: case F_OFD_SETLKW:
                    result = SetLock(p, f, argument, command == F_SETLKW || command == F_OFD_SETLKW, command >= F_OFD_GETLK);
                    break;
                default: result = -Errno.EINVAL; break;
            }
            f.Release();
            return result;
        }

        private const int F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;

        // struct flock { short l_type, l_whence; long l_start, l_len; int l_pid; }
        private struct Flock { public short Type, Whence; public int Pad0; public long Start, Length; public int Pid, Pad1; }

        // The range a struct flock names, as [start, end): EINVAL for a bad whence or a negative start.
        private static int RangeOf(File f, in Flock l, out ulong start, out ulong end)
        {
            start = end = 0;
            long basis;
            switch (l.Whence)
            {
                case 0: basis = 0; break;
                case 1: basis = (long)f.Offset; break;
                case 2: basis = (long)f.Inode.Size; break;
                default: return -Errno.EINVAL;
            }
            long s = basis + l.Start;
            if (s < 0) return -Errno.EINVAL;
            if (l.Length > 0) { start = (ulong)s; end = (ulong)(s + l.Length); if ((long)end < s) return -Errno.EOVERFLOW; }
            else if (l.Length == 0) { start = (ulong)s; end = FileLocks.ToEnd; }
            else { if (s + l.Length < 0) return -Errno.EINVAL; start = (ulong)(s + l.Length); end = (ulong)s; }
            return 0;
        }

        private static long SetLock(Process p, File f, ulong argument, bool wait, bool ofd)
        {
            if (f.IsPath || f.Kind != FileKind.Inode) return -Errno.EBADF;
            if (!UserMemory.Read(argument, out Flock l)) return -Errno.EFAULT;
            if (ofd && l.Pid != 0) return -Errno.EINVAL;
            if (l.Type != FileLocks.F_RDLCK && l.Type != FileLocks.F_WRLCK && l.Type != FileLocks.F_UNLCK) return -Errno.EINVAL;
            if ((l.Type == FileLocks.F_RDLCK && !f.CanRead) || (l.Type == FileLocks.F_WRLCK && !f.CanWrite)) return -Errno.EBADF;
            int err = RangeOf(f, l, out ulong start, out ulong end);
            if (err != 0) return err;
            object owner = ofd ? f : p.Files;
            return FileLocks.Set(f.Inode, owner, false, ofd ? -1 : p.Pid, l.Type, start, end, wait);
        }

        private static long GetLock(Process p, File f, ulong argument, bool ofd)
        {
            if (f.IsPath || f.Kind != FileKind.Inode) return -Errno.EBADF;
            if (!UserMemory.Read(argument, out Flock l)) return -Errno.EFAULT;
            if (ofd && l.Pid != 0) return -Errno.EINVAL;
            if (l.Type != FileLocks.F_RDLCK && l.Type != FileLocks.F_WRLCK) return -Errno.EINVAL;
            int err = RangeOf(f, l, out ulong start, out ulong end);
            if (err != 0) return err;
            object owner = ofd ? f : p.Files;
            if (!FileLocks.Test(f.Inode, owner, l.Type, start, end, out short type, out ulong s, out ulong e, out int pid))
                l.Type = FileLocks.F_UNLCK;
            else
            {
                l.Type = type; l.Whence = 0; l.Start = (long)s;
                l.Length = e == FileLocks.ToEnd ? 0 : (long)(e - s);
                l.Pid = pid;
            }
            return UserMemory.Write(argument, l) ? 0 : -Errno.EFAULT;
        }

        // flock(2): LOCK_SH, LOCK_EX (| LOCK_NB), LOCK_UN on the whole file, owned by the open file.
        public static long FlockCall(int fd, int operation)
        {
            const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result;
            int op = operation & ~LOCK_NB;
            if (f.IsPath) result = -Errno.EBADF;
            else if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN) result = -Errno.EINVAL;
            else if (f.Kind != FileKind.Inode) result = 0;   // pipes and sockets: nobody else can open them by name
            else
            {
                short type = op == LOCK_SH ? FileLocks.F_RDLCK : op == LOCK_EX ? FileLocks.F_WRLCK : FileLocks.F_UNLCK;
                if (type != FileLocks.F_UNLCK) FileLocks.Set(f.Inode, f, true, 0, FileLocks.F_UNLCK, 0, FileLocks.ToEnd, false);   // a conversion is not atomic, as on Linux
                result = FileLocks.Set(f.Inode, f, true, Processes.Current.Pid, type, 0, FileLocks.ToEnd, (operation & LOCK_NB) == 0);
                if (result == -Errno.EAGAIN) result = -Errno.EWOULDBLOCK;
            }
            f.Release();
            return result;
        }
    }
}
