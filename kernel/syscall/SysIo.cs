using Sticky.Debug;
using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // read/write on the serial console and on pipes. Data moves through a
    // kernel bounce buffer: no lock is held while touching user memory.
    public static unsafe class SysIo
    {
        // The bounce buffer: one pipe-sized chunk, so a write of up to PIPE_BUF
        // bytes reaches a pipe in one piece (Pipe.Write keeps it atomic).
        private const int Chunk = Pipe.Capacity;
        private const int IovMax = 1024;
        private const int O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;

        public static long Write(int fd, ulong buffer, ulong count)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result = f.CanWrite ? Write(f, buffer, count) : -Errno.EBADF;
            f.Release();
            return result;
        }

        private static long Write(File f, ulong buffer, ulong count)
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
                            : f.Pipe.Write(bounce, n);
                if (written < 0) return done > 0 ? (long)done : written;
                done += (ulong)written;
            }
            return (long)done;
        }

        private static int WriteKernelConsole(byte* bytes, int n)
        {
            Console.WriteBytes(bytes, n);
            return n;
        }

        public static long Read(int fd, ulong buffer, ulong count)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result = f.CanRead ? Read(f, buffer, count) : -Errno.EBADF;
            f.Release();
            return result;
        }

        private static long Read(File f, ulong buffer, ulong count)
        {
            if (!UserMemory.IsUserRange(buffer, count)) return -Errno.EFAULT;
            if (count == 0) return 0;
            byte* bounce = stackalloc byte[Chunk];
            int max = count < Chunk ? (int)count : Chunk;
            int n = f.Kind == FileKind.Console ? Sticky.Tty.Terminal.Read(bounce, max) : f.Pipe.Read(bounce, max);
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
                long r = write ? Write(f, b, len) : Read(f, b, len);
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

        public static long Lseek(int fd) => Processes.Current.Files.IsOpen(fd) ? -Errno.ESPIPE : -Errno.EBADF;

        public static long Pipe2(ulong fds, int flags)
        {
            if ((flags & ~(O_CLOEXEC | O_NONBLOCK)) != 0) return -Errno.EINVAL;
            if ((flags & O_NONBLOCK) != 0) return -Errno.EINVAL;   // no non-blocking I/O yet
            FileTable table = Processes.Current.Files;
            var pipe = new Pipe();
            var reader = new File { Kind = FileKind.PipeReader, Pipe = pipe };
            var writer = new File { Kind = FileKind.PipeWriter, Pipe = pipe };
            int rfd = table.Install(reader);
            int wfd = rfd < 0 ? rfd : table.Install(writer);
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
