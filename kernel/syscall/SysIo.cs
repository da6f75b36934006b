using Sticky.Debug;
using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // read/write on the serial console, pipes and files of the tree. Data
    // moves through a kernel bounce buffer: no lock is held while touching
    // user memory. pread64/pwrite64 pass an offset (>= 0); the others -1.
    public static unsafe class SysIo
    {
        // The bounce buffer: one pipe-sized chunk, so a write of up to PIPE_BUF
        // bytes reaches a pipe in one piece (Pipe.Write keeps it atomic).
        private const int Chunk = Pipe.Capacity;
        private const int IovMax = 1024;
        private const int O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;

        public static long Write(int fd, ulong buffer, ulong count, long offset = -1)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result = !f.CanWrite ? -Errno.EBADF : offset >= 0 && f.Kind != FileKind.Inode ? -Errno.ESPIPE
                        : Write(f, buffer, count, offset);
            f.Release();
            return result;
        }

        private static long Write(File f, ulong buffer, ulong count, long offset)
        {
            if (!UserMemory.IsUserRange(buffer, count)) return -Errno.EFAULT;
            byte* bounce = stackalloc byte[Chunk];
            ulong done = 0;
            while (done < count)
            {
                int n = count - done < Chunk ? (int)(count - done) : Chunk;
                if (!UserMemory.CopyIn(bounce, buffer + done, (ulong)n)) return done > 0 ? (long)done : -Errno.EFAULT;
                int written = f.Kind == FileKind.Console ? Sticky.Tty.Terminal.Write(bounce, n)
                            : f.Kind == FileKind.KernelConsole ? WriteKernelConsole(bounce, n)
                            : f.Kind == FileKind.Inode ? FileIo.Write(f, bounce, n, offset < 0 ? -1 : offset + (long)done)
                            : f.Kind == FileKind.Epoll ? -Errno.EINVAL
                            : f.Pipe.Write(bounce, n);
                if (written < 0) return done > 0 ? (long)done : written;
                done += (ulong)written;
            }
            return (long)done;
        }

        // One chunk in one piece: another CPU's output never lands inside it.
        private static int WriteKernelConsole(byte* bytes, int n)
        {
            ulong flags = Console.Lock();
            Console.WriteBytes(bytes, n);
            Console.Unlock(flags);
            return n;
        }

        public static long Read(int fd, ulong buffer, ulong count, long offset = -1)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result = !f.CanRead ? -Errno.EBADF : offset >= 0 && f.Kind != FileKind.Inode ? -Errno.ESPIPE
                        : f.Kind == FileKind.Inode ? ReadFile(f, buffer, count, offset)
                        : Read(f, buffer, count);
            f.Release();
            return result;
        }

        // A file of the tree: as much as there is, chunk by chunk (a read of a
        // regular file is short only at its end).
        private static long ReadFile(File f, ulong buffer, ulong count, long offset)
        {
            if (f.Inode.IsDirectory) return -Errno.EISDIR;
            if (!UserMemory.IsUserRange(buffer, count)) return -Errno.EFAULT;
            byte* bounce = stackalloc byte[Chunk];
            ulong done = 0;
            while (done < count)
            {
                int max = count - done < Chunk ? (int)(count - done) : Chunk;
                int n = FileIo.Read(f, bounce, max, offset < 0 ? -1 : offset + (long)done);
                if (n < 0) return done > 0 ? (long)done : n;
                if (n > 0 && !UserMemory.CopyOut(buffer + done, bounce, (ulong)n)) return done > 0 ? (long)done : -Errno.EFAULT;
                done += (ulong)n;
                if (n < max) break;
            }
            return (long)done;
        }

        private static long Read(File f, ulong buffer, ulong count)
        {
            if (!UserMemory.IsUserRange(buffer, count)) return -Errno.EFAULT;
            if (count == 0) return 0;
            byte* bounce = stackalloc byte[Chunk];
            int max = count < Chunk ? (int)count : Chunk;
            int n = f.Kind == FileKind.Console ? Sticky.Tty.Terminal.Read(bounce, max)
                  : f.Kind == FileKind.Epoll ? -Errno.EINVAL : f.Pipe.Read(bounce, max);
            if (n <= 0) return n;
            return UserMemory.CopyOut(buffer, bounce, (ulong)n) ? n : -Errno.EFAULT;
        }

        public static long Writev(int fd, ulong iov, int count) => Vector(fd, iov, count, write: true);
        public static long Readv(int fd, ulong iov, int count) => Vector(fd, iov, count, write: false);

        // struct iovec { void *base; size_t len; }: one call per element; stops
        // at the first short transfer, as Linux does.
        private static long Vector(int fd, ulong iov, int count, bool write)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result = !(write ? f.CanWrite : f.CanRead) ? -Errno.EBADF
                        : count < 0 || count > IovMax ? -Errno.EINVAL
                        : Vector(f, iov, count, write);
            f.Release();
            return result;
        }

        private static long Vector(File f, ulong iov, int count, bool write)
        {
            long total = 0;
            for (int i = 0; i < count; i++)
            {
                if (!UserMemory.Read(iov + (ulong)i * 16, out ulong b) || !UserMemory.Read(iov + (ulong)i * 16 + 8, out ulong len))
                    return total > 0 ? total : -Errno.EFAULT;
                if (len == 0) continue;
                long r = write ? Write(f, b, len, -1) : f.Kind == FileKind.Inode ? ReadFile(f, b, len, -1) : Read(f, b, len);
                if (r < 0) return total > 0 ? total : r;
                total += r;
                if ((ulong)r < len) break;
            }
            return total;
        }

        public static long Close(int fd) => Processes.Current.Files.Close(fd);

        // Only the terminal has ioctls (tty/KernelTerminal.cs); musl's isatty()
        // asks with TIOCGWINSZ, so stdout is line-buffered there as on Linux.
        public static long Ioctl(int fd, ulong request, ulong argument)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            bool terminal = f.Kind == FileKind.Console;
            f.Release();
            return terminal ? Sticky.Tty.Terminal.Ioctl(request, argument) : -Errno.ENOTTY;
        }

        // A file of the tree moves its position (a directory's is getdents64's
        // cookie); a device's stays 0, as /dev/null's does on Linux; pipes and the console cannot seek.
        public static long Lseek(int fd, long offset, int whence)
        {
            const int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result;
            if (f.Kind != FileKind.Inode) result = -Errno.ESPIPE;
            else if (whence < SEEK_SET || whence > SEEK_END) result = -Errno.EINVAL;
            else if (f.Inode.Kind == Sticky.Fs.InodeKind.Device) result = 0;
            else
            {
                ulong flags = Sticky.Fs.Vfs.Lock();
                long basis = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f.Offset : (long)f.Inode.Size;
                long at = basis + offset;
                if ((offset > 0 && at < basis) || at < 0) result = -Errno.EINVAL;
                else { f.Offset = (ulong)at; result = at; }
                Sticky.Fs.Vfs.Unlock(flags);
            }
            f.Release();
            return result;
        }

        public static long Pipe2(ulong fds, int flags)
        {
            if ((flags & ~(O_CLOEXEC | O_NONBLOCK)) != 0) return -Errno.EINVAL;
            if ((flags & O_NONBLOCK) != 0) return -Errno.EINVAL;   // no non-blocking I/O yet
            FileTable table = Processes.Current.Files;
            var pipe = new Pipe();
            var reader = new File { Kind = FileKind.PipeReader, Pipe = pipe, Flags = File.O_RDONLY };
            var writer = new File { Kind = FileKind.PipeWriter, Pipe = pipe, Flags = File.O_WRONLY };
            bool cloexec = (flags & O_CLOEXEC) != 0;
            int rfd = table.Install(reader, cloexec);
            int wfd = rfd < 0 ? rfd : table.Install(writer, cloexec);
            int* pair = stackalloc int[2];
            pair[0] = rfd; pair[1] = wfd;
            if (rfd >= 0 && wfd >= 0 && UserMemory.CopyOut(fds, pair, 8)) return 0;
            long err = rfd < 0 || wfd < 0 ? -Errno.EMFILE : -Errno.EFAULT;
            if (rfd >= 0) table.Close(rfd); else reader.Release();
            if (wfd >= 0) table.Close(wfd); else writer.Release();
            return err;
        }
    }
}
