using Sticky.Io;
using Sticky.Proc;

namespace Sticky.Sys
{
    // Descriptors themselves: dup, dup2, dup3, fcntl (duplicates, the
    // close-on-exec bit, the status flags; record locks are accepted and
    // always granted, as with one process holding the file).
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
                case F_GETLK: result = f.IsPath ? -Errno.EBADF : NoLock(argument); break;
                case F_SETLK: case F_SETLKW: result = f.IsPath ? -Errno.EBADF : 0; break;
                default: result = -Errno.EINVAL; break;
            }
            f.Release();
            return result;
        }

        // struct flock { short l_type; ... }: nobody else holds a lock.
        private static long NoLock(ulong flock)
        {
            if (!UserMemory.Read(flock, out short type)) return -Errno.EFAULT;
            return UserMemory.Write(flock, (short)F_UNLCK) ? 0 : -Errno.EFAULT;
        }
    }
}
