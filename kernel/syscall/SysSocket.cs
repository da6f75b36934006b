using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // Sockets as far as stickyos has them: socketpair(AF_UNIX) of every
    // type, and the calls that move data through one (send/recv and their
    // msg forms, shutdown, a few options, names); AF_INET sockets on
    // loopback, whose calls SysInet.cs answers. socket(2) of any other family
    // is EAFNOSUPPORT: no IPv6, no named Unix socket. Also eventfd2.
    public static unsafe class SysSocket
    {
        private const int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
        private const int SOCK_TYPE_MASK = 0xF, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
        private const int MSG_OOB = 1, MSG_PEEK = 2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40, MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000,
            MSG_CMSG_CLOEXEC = 0x40000000;
        private const int SOL_SOCKET = 1, SO_TYPE = 3, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_ACCEPTCONN = 30,
            SO_PROTOCOL = 38, SO_DOMAIN = 39;

        public static long Socket(int domain, int type, int protocol)
        {
            int kind = type & SOCK_TYPE_MASK;
            if ((type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
            if (kind < 1 || kind > 6 && kind != 10) return -Errno.EINVAL;
            if (domain == AF_INET) return SysInet.Socket(kind, protocol, type & ~SOCK_TYPE_MASK);
            return -Errno.EAFNOSUPPORT;
        }

        // bind, connect, listen, accept on a socket pair's end: it is connected
        // and nameless, as Linux answers for one.
        public static long Bind(int fd, ulong address, int length)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            long result = f.Inet != null ? SysInet.Bind(f, address, length) : -Errno.EINVAL;
            f.Release();
            return result;
        }

        public static long Connect(int fd, ulong address, int length)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            long result = f.Inet != null ? SysInet.Connect(f, address, length) : -Errno.EISCONN;
            f.Release();
            return result;
        }

        public static long Listen(int fd, int backlog)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            long result = f.Inet != null ? SysInet.Listen(f, backlog) : -Errno.EINVAL;
            f.Release();
            return result;
        }

        public static long Accept(int fd, ulong address, ulong length, int flags)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            long result = f.Inet != null ? SysInet.Accept(f, address, length, flags) : -Errno.EINVAL;
            f.Release();
            return result;
        }

        public static long Socketpair(int domain, int type, int protocol, ulong pair)
        {
            int kind = type & SOCK_TYPE_MASK;
            if ((type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
            if (domain == AF_INET || domain == AF_INET6) return -Errno.EOPNOTSUPP;
            if (domain != AF_UNIX) return -Errno.EAFNOSUPPORT;
            if (kind != Sockets.SOCK_STREAM && kind != Sockets.SOCK_DGRAM && kind != Sockets.SOCK_SEQPACKET) return -Errno.ESOCKTNOSUPPORT;
            if (protocol != 0 && protocol != AF_UNIX) return -Errno.EPROTONOSUPPORT;
            Sockets.MakePair(kind, out File a, out File b);
            if ((type & SOCK_NONBLOCK) != 0) { a.Flags |= File.O_NONBLOCK; b.Flags |= File.O_NONBLOCK; }
            return InstallPair(a, b, (type & SOCK_CLOEXEC) != 0, pair);
        }

        // Two new descriptors written to `pair`; on any failure neither stays open.
        public static long InstallPair(File a, File b, bool cloexec, ulong pair)
        {
            FileTable table = Processes.Current.Files;
            int limit = Limits.OpenFiles(Processes.Current);
            int fa = table.Install(a, cloexec, 0, limit);
            int fb = fa < 0 ? fa : table.Install(b, cloexec, 0, limit);
            int* fds = stackalloc int[2];
            fds[0] = fa; fds[1] = fb;
            if (fa >= 0 && fb >= 0 && UserMemory.CopyOut(pair, fds, 8)) return 0;
            long err = fa < 0 || fb < 0 ? -Errno.EMFILE : -Errno.EFAULT;
            if (fa >= 0) table.Close(fa); else a.Release();
            if (fb >= 0) table.Close(fb); else b.Release();
            return err;
        }

        // The socket behind `fd` (a reference the caller releases), or null with `err` EBADF or ENOTSOCK.
        private static File SocketOf(int fd, out long err)
        {
            File f = Processes.Current.Files.Acquire(fd);
            err = f == null ? -Errno.EBADF : f.Kind != FileKind.Socket ? -Errno.ENOTSOCK : 0;
            if (err != 0) { f?.Release(); return null; }
            return f;
        }

        public static long Shutdown(int fd, int how)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            if (how < Sockets.SHUT_RD || how > Sockets.SHUT_RDWR) { f.Release(); return -Errno.EINVAL; }
            long result = 0;
            if (f.Inet != null) result = SysInet.Shutdown(f, how);
            else Sockets.Shutdown(f, how);
            f.Release();
            return result;
        }

        public static long Sendto(int fd, ulong buffer, ulong length, int flags, ulong address, int addressLength)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            long result = (flags & MSG_OOB) != 0 ? -Errno.EOPNOTSUPP
                        : f.Inet != null ? SysInet.Sendto(f, buffer, length, flags, address, addressLength)
                        : address != 0 ? -Errno.EISCONN
                        : SysIo.WriteSocket(f, buffer, length, (flags & MSG_DONTWAIT) != 0);
            f.Release();
            return Sigpipe(result, flags);
        }

        private static long Sigpipe(long result, int flags) =>
            (flags & MSG_NOSIGNAL) != 0 ? result : SysSignal.SigpipeOnEpipe(result);

        public static long Recvfrom(int fd, ulong buffer, ulong length, int flags, ulong address, ulong addressLength)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            if (f.Inet != null && (flags & ~(MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT | MSG_WAITALL | MSG_CMSG_CLOEXEC)) == 0
                && (!f.Inet.IsStream || (flags & (MSG_PEEK | MSG_WAITALL)) == 0))
            {
                long inet = SysInet.Recvfrom(f, buffer, length, flags, address, addressLength);
                f.Release();
                return inet;
            }
            long result = Receive(f, buffer, length, flags);
            f.Release();
            // The peer of a socket pair has no name: an address length of 0, as Linux.
            if (result >= 0 && address != 0 && addressLength != 0 && !UserMemory.Write(addressLength, 0)) result = -Errno.EFAULT;
            return result;
        }

        private static long Receive(File f, ulong buffer, ulong length, int flags)
        {
            if ((flags & (MSG_OOB | MSG_PEEK)) != 0) return -Errno.EOPNOTSUPP;
            bool dontWait = (flags & MSG_DONTWAIT) != 0;
            long got = SysIo.ReadSocket(f, buffer, length, dontWait);
            // MSG_WAITALL on a stream: on until all of it came, end of file, or a signal.
            while ((flags & MSG_WAITALL) != 0 && f.SocketType == Sockets.SOCK_STREAM && got > 0 && (ulong)got < length)
            {
                long more = SysIo.ReadSocket(f, buffer + (ulong)got, length - (ulong)got, dontWait);
                if (more <= 0) break;
                got += more;
            }
            return got;
        }

        // struct msghdr { name, namelen, iov, iovlen, control, controllen, flags }.
        private struct MsgHeader
        {
            public ulong Name; public int NameLength, Pad0; public ulong Iov, IovLength, Control, ControlLength; public int Flags, Pad1;
        }

        // sendmsg: a datagram is the iovecs gathered into one message; no
        // ancillary data (passing descriptors is EOPNOTSUPP).
        public static long Sendmsg(int fd, ulong message, int flags)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            long result = (flags & MSG_OOB) != 0 ? -Errno.EOPNOTSUPP : f.Inet != null ? SysInet.Sendmsg(f, message, flags) : Sendmsg(f, message, flags);
            f.Release();
            return Sigpipe(result, flags);
        }

        private static long Sendmsg(File f, ulong message, int flags)
        {
            if (!UserMemory.Read(message, out MsgHeader m)) return -Errno.EFAULT;
            if ((flags & MSG_OOB) != 0 || m.ControlLength != 0) return -Errno.EOPNOTSUPP;
            if (m.Name != 0 && m.NameLength != 0) return -Errno.EISCONN;
            if (m.IovLength > 1024) return -Errno.EMSGSIZE;
            bool dontWait = (flags & MSG_DONTWAIT) != 0;
            if (f.SocketType != Sockets.SOCK_STREAM) return SendRecord(f, m, dontWait || f.IsNonblocking);
            long total = 0;
            for (ulong i = 0; i < m.IovLength; i++)
            {
                if (!UserMemory.Read(m.Iov + i * 16, out ulong b) || !UserMemory.Read(m.Iov + i * 16 + 8, out ulong len))
                    return total > 0 ? total : -Errno.EFAULT;
                if (len == 0) continue;
                long r = SysIo.WriteSocket(f, b, len, dontWait);
                if (r < 0) return total > 0 ? total : r;
                total += r;
                if ((ulong)r < len) break;
            }
            return total;
        }

        private static long SendRecord(File f, MsgHeader m, bool nonblock)
        {
            byte* record = stackalloc byte[Pipe.MaxRecord];
            int used = 0;
            for (ulong i = 0; i < m.IovLength; i++)
            {
                if (!UserMemory.Read(m.Iov + i * 16, out ulong b) || !UserMemory.Read(m.Iov + i * 16 + 8, out ulong len)) return -Errno.EFAULT;
                if (len > (ulong)(Pipe.MaxRecord - used)) return -Errno.EMSGSIZE;
                if (!UserMemory.CopyIn(record + used, b, len)) return -Errno.EFAULT;
                used += (int)len;
            }
            if (f.WriteShut) return -Errno.EPIPE;
            return f.OutPipe.Write(record, used, nonblock);
        }

        public static long Recvmsg(int fd, ulong message, int flags)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            long result = f.Inet != null && (flags & MSG_OOB) == 0 && !(f.Inet.IsStream && (flags & MSG_PEEK) != 0)
                ? SysInet.Recvmsg(f, message, flags & ~MSG_CMSG_CLOEXEC)
                : Recvmsg(f, message, flags & ~MSG_CMSG_CLOEXEC);
            f.Release();
            return result;
        }

        private static long Recvmsg(File f, ulong message, int flags)
        {
            if (!UserMemory.Read(message, out MsgHeader m)) return -Errno.EFAULT;
            if ((flags & (MSG_OOB | MSG_PEEK)) != 0) return -Errno.EOPNOTSUPP;
            if (m.IovLength > 1024) return -Errno.EMSGSIZE;
            bool nonblock = (flags & MSG_DONTWAIT) != 0 || f.IsNonblocking;
            long total;
            int outFlags = 0;
            if (f.SocketType != Sockets.SOCK_STREAM) total = ReceiveRecord(f, m, nonblock, ref outFlags);
            else
            {
                total = 0;
                for (ulong i = 0; i < m.IovLength; i++)
                {
                    if (!UserMemory.Read(m.Iov + i * 16, out ulong b) || !UserMemory.Read(m.Iov + i * 16 + 8, out ulong len))
                        return total > 0 ? total : -Errno.EFAULT;
                    if (len == 0) continue;
                    long r = Receive(f, b, len, flags);
                    if (r < 0) return total > 0 ? total : r;
                    total += r;
                    if ((ulong)r < len) break;
                }
            }
            if (total < 0) return total;
            // No name, no ancillary data; MSG_TRUNC if a datagram did not fit.
            if (!UserMemory.Write(message + 8, 0) || !UserMemory.Write(message + 40, 0UL) || !UserMemory.Write(message + 48, outFlags))
                return -Errno.EFAULT;
            return total;
        }

        private static long ReceiveRecord(File f, MsgHeader m, bool nonblock, ref int outFlags)
        {
            byte* record = stackalloc byte[Pipe.MaxRecord];
            int n = f.ReadShut ? 0 : f.Pipe.Read(record, Pipe.MaxRecord, nonblock);
            if (n < 0) return n;
            int done = 0;
            for (ulong i = 0; i < m.IovLength && done < n; i++)
            {
                if (!UserMemory.Read(m.Iov + i * 16, out ulong b) || !UserMemory.Read(m.Iov + i * 16 + 8, out ulong len)) return -Errno.EFAULT;
                int take = (ulong)(n - done) < len ? n - done : (int)len;
                if (!UserMemory.CopyOut(b, record + done, (ulong)take)) return -Errno.EFAULT;
                done += take;
            }
            if (done < n) outFlags |= MSG_TRUNC;
            return done;
        }

        public static long Getsockopt(int fd, int level, int option, ulong value, ulong length)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            if (f.Inet != null)
            {
                long inet = SysInet.Getsockopt(f, level, option, value, length);
                f.Release();
                return inet;
            }
            int type = f.SocketType;
            f.Release();
            if (!UserMemory.Read(length, out int room)) return -Errno.EFAULT;
            if (room < 0) return -Errno.EINVAL;
            if (level != SOL_SOCKET) return -Errno.ENOPROTOOPT;
            int answer;
            switch (option)
            {
                case SO_TYPE: answer = type; break;
                case SO_ERROR: case SO_ACCEPTCONN: case SO_PROTOCOL: answer = 0; break;
                case SO_DOMAIN: answer = AF_UNIX; break;
                case SO_SNDBUF: case SO_RCVBUF: answer = Pipe.Capacity; break;
                default: return -Errno.ENOPROTOOPT;
            }
            int n = room < 4 ? room : 4;
            if (!UserMemory.CopyOut(value, &answer, (ulong)n) || !UserMemory.Write(length, n)) return -Errno.EFAULT;
            return 0;
        }

        // Buffer sizes are fixed (a pipe's 4 KiB): asking for another is accepted, as Linux clamps it anyway.
        public static long Setsockopt(int fd, int level, int option, ulong value, int length)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            if (f.Inet != null)
            {
                long inet = SysInet.Setsockopt(f, level, option, value, length);
                f.Release();
                return inet;
            }
            f.Release();
            if (level != SOL_SOCKET || (option != SO_SNDBUF && option != SO_RCVBUF)) return -Errno.ENOPROTOOPT;
            if (length < 4) return -Errno.EINVAL;
            return UserMemory.Read(value, out int _) ? 0 : -Errno.EFAULT;
        }

        // getsockname / getpeername: an unnamed Unix socket, just the family.
        public static long Name(int fd, ulong address, ulong length, bool peer)
        {
            File f = SocketOf(fd, out long err);
            if (f == null) return err;
            if (f.Inet != null)
            {
                long inet = SysInet.Name(f, peer, address, length);
                f.Release();
                return inet;
            }
            f.Release();
            if (!UserMemory.Read(length, out int room)) return -Errno.EFAULT;
            if (room < 0) return -Errno.EINVAL;
            ushort family = AF_UNIX;
            int n = room < 2 ? room : 2;
            if (!UserMemory.CopyOut(address, &family, (ulong)n) || !UserMemory.Write(length, 2)) return -Errno.EFAULT;
            return 0;
        }

        // eventfd2(initval, flags): EFD_SEMAPHORE 1, EFD_NONBLOCK, EFD_CLOEXEC.
        public static long Eventfd2(uint initial, int flags)
        {
            const int EFD_SEMAPHORE = 1;
            if ((flags & ~(EFD_SEMAPHORE | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
            var f = new File
            {
                Kind = FileKind.EventFd, Counter = new EventCounter(initial, (flags & EFD_SEMAPHORE) != 0),
                Flags = File.O_RDWR | (flags & SOCK_NONBLOCK),
            };
            int fd = Processes.Current.Files.Install(f, (flags & SOCK_CLOEXEC) != 0, 0, Limits.OpenFiles(Processes.Current));
            if (fd < 0) { f.Release(); return -Errno.EMFILE; }
            return fd;
        }
    }
}
