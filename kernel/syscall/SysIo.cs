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

        private static long Write(File f, ulong buffer, ulong count, long offset) => Write(f, buffer, count, offset, f.IsNonblocking);

        private static long Write(File f, ulong buffer, ulong count, long offset, bool nonblock)
        {
            if (!UserMemory.IsUserRange(buffer, count)) return -Errno.EFAULT;
            if (f.Kind == FileKind.EventFd) return WriteCounter(f, buffer, count, nonblock);
            if (f.Kind == FileKind.Socket && f.Inet != null && f.Pipe == null) return SysInet.Write(f, buffer, count, nonblock);
            if (f.Kind == FileKind.Socket && f.SocketType != Sockets.SOCK_STREAM && count > Pipe.MaxRecord) return -Errno.EMSGSIZE;
            byte* bounce = stackalloc byte[Chunk];
            ulong done = 0;
            while (done < count || (count == 0 && done == 0 && f.Kind == FileKind.Socket && f.SocketType != Sockets.SOCK_STREAM))
            {
                int n = count - done < Chunk ? (int)(count - done) : Chunk;
                if (!UserMemory.CopyIn(bounce, buffer + done, (ulong)n)) return done > 0 ? (long)done : -Errno.EFAULT;
                int written = f.Kind == FileKind.Console ? Sticky.Tty.Terminal.Write(bounce, n)
                            : f.Kind == FileKind.KernelConsole ? WriteKernelConsole(bounce, n)
                            : f.Kind == FileKind.Inode ? FileIo.Write(f, bounce, n, offset < 0 ? -1 : offset + (long)done)
                            : f.Kind == FileKind.Epoll ? -Errno.EINVAL
                            : f.Kind == FileKind.Socket ? (f.WriteShut ? -Errno.EPIPE : f.OutPipe.Write(bounce, n, nonblock))
                            : f.Pipe.Write(bounce, n, nonblock);
                if (written < 0) return done > 0 ? (long)done : written;
                done += (ulong)written;
                if (written < n || count == 0) break;   // non-blocking and full; or an empty datagram
            }
            return (long)done;
        }

        // An eventfd takes one 8-byte number per write (EINVAL for less).
        private static long WriteCounter(File f, ulong buffer, ulong count, bool nonblock)
        {
            if (count < 8) return -Errno.EINVAL;
            if (!UserMemory.Read(buffer, out ulong add)) return -Errno.EFAULT;
            return f.Counter.Write(add, nonblock);
        }

        // sendfile's way out: `n` bytes of kernel memory to `f` (the terminal, a pipe, socket or file) at its position.
        public static int WriteKernel(File f, byte* bytes, int n) =>
            f.Kind == FileKind.Console ? Sticky.Tty.Terminal.Write(bytes, n)
            : f.Kind == FileKind.KernelConsole ? WriteKernelConsole(bytes, n)
            : f.Kind == FileKind.Inode ? FileIo.Write(f, bytes, n, -1)
            : f.Kind == FileKind.Socket ? (f.WriteShut ? -Errno.EPIPE : f.OutPipe.Write(bytes, n, f.IsNonblocking))
            : f.Kind == FileKind.PipeWriter ? f.Pipe.Write(bytes, n, f.IsNonblocking)
            : -Errno.EINVAL;

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

        private static long Read(File f, ulong buffer, ulong count) => Read(f, buffer, count, f.IsNonblocking);

        private static long Read(File f, ulong buffer, ulong count, bool nonblock)
        {
            if (!UserMemory.IsUserRange(buffer, count)) return -Errno.EFAULT;
            if (f.Kind == FileKind.EventFd) return ReadCounter(f, buffer, count, nonblock);
            if (f.Kind == FileKind.Socket && f.Inet != null && f.Pipe == null) return SysInet.Read(f, buffer, count, nonblock);
            if (count == 0) return 0;
            byte* bounce = stackalloc byte[Chunk];
            int max = count < Chunk ? (int)count : Chunk;
            int n = f.Kind == FileKind.Console ? Sticky.Tty.Terminal.Read(bounce, max, nonblock)
                  : f.Kind == FileKind.Epoll ? -Errno.EINVAL
                  : f.Kind == FileKind.Socket ? (f.ReadShut ? 0 : f.Pipe.Read(bounce, max, nonblock))
                  : f.Pipe.Read(bounce, max, nonblock);
            if (n <= 0) return n;
            return UserMemory.CopyOut(buffer, bounce, (ulong)n) ? n : -Errno.EFAULT;
        }

        // An eventfd gives its count as one 8-byte number (EINVAL for a smaller buffer).
        private static long ReadCounter(File f, ulong buffer, ulong count, bool nonblock)
        {
            if (count < 8) return -Errno.EINVAL;
            long r = f.Counter.Read(out ulong value, nonblock);
            if (r < 0) return r;
            return UserMemory.Write(buffer, value) ? 8 : -Errno.EFAULT;
        }

        // recvfrom/recvmsg and sendto/sendmsg: MSG_DONTWAIT makes this one call non-blocking.
        public static long ReadSocket(File f, ulong buffer, ulong count, bool dontWait) =>
            Read(f, buffer, count, dontWait || f.IsNonblocking);

        public static long WriteSocket(File f, ulong buffer, ulong count, bool dontWait) =>
            Write(f, buffer, count, -1, dontWait || f.IsNonblocking);

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
            else if (f.Inode is Sticky.Fs.ProcFile && whence == SEEK_END) result = -Errno.EINVAL;   // its length is known only as it is read
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
            FileTable table = Processes.Current.Files;
            var pipe = new Pipe();
            int status = flags & O_NONBLOCK;
            var reader = new File { Kind = FileKind.PipeReader, Pipe = pipe, Flags = File.O_RDONLY | status };
            var writer = new File { Kind = FileKind.PipeWriter, Pipe = pipe, Flags = File.O_WRONLY | status };
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
