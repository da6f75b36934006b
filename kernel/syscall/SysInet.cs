using Sticky.Io;
using Sticky.Mm;
using Sticky.Net;
using Sticky.Proc;

namespace Sticky.Sys
{
    // The socket calls for AF_INET (kernel/net): user memory in and out, the
    // rest in Inet, Udp and Tcp. SysSocket sends AF_INET files here; a
    // connected TCP socket reads and writes as a socket pair does.
    public static unsafe class SysInet
    {
        public const int MSG_PEEK = 2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
        private const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;

        public static long Socket(int type, int protocol, int flags)
        {
            int err = Inet.Create(type, protocol, out File f);
            if (err != 0) return err;
            f.Flags |= flags & SOCK_NONBLOCK;
            int fd = Processes.Current.Files.Install(f, (flags & SOCK_CLOEXEC) != 0, 0, Limits.OpenFiles(Processes.Current));
            if (fd < 0) { f.Release(); return -Errno.EMFILE; }
            return fd;
        }

        // A sockaddr_in from user memory: 0 or -EFAULT, -EINVAL, -EAFNOSUPPORT.
        private static int ReadAddress(ulong user, int length, bool unspecOk, out InetAddress a, out int family)
        {
            a = default;
            family = -1;
            if (length < 0) return -Errno.EINVAL;
            byte* s = stackalloc byte[InetAddress.SockaddrSize];
            int n = length < InetAddress.SockaddrSize ? length : InetAddress.SockaddrSize;
            if (n > 0 && !UserMemory.CopyIn(s, user, (ulong)n)) return -Errno.EFAULT;
            return InetAddress.Parse(s, n, unspecOk, out a, out family);
        }

        // An address out to (buffer, *length), as Linux: truncated to the room given, the full length written back.
        private static int WriteAddress(InetAddress a, ulong user, ulong lengthPtr)
        {
            if (user == 0 || lengthPtr == 0) return 0;
            if (!UserMemory.Read(lengthPtr, out int room)) return -Errno.EFAULT;
            if (room < 0) return -Errno.EINVAL;
            byte* s = stackalloc byte[InetAddress.SockaddrSize];
            a.Write(s);
            int n = room < InetAddress.SockaddrSize ? room : InetAddress.SockaddrSize;
            if ((n > 0 && !UserMemory.CopyOut(user, s, (ulong)n)) || !UserMemory.Write(lengthPtr, InetAddress.SockaddrSize)) return -Errno.EFAULT;
            return 0;
        }

        public static long Bind(File f, ulong address, int length)
        {
            int err = ReadAddress(address, length, false, out InetAddress a, out _);
            return err != 0 ? err : Inet.Bind(f.Inet, a);
        }

        public static long Listen(File f, int backlog) => Tcp.Listen(f.Inet, backlog);

        // UDP: the default peer (AF_UNSPEC: none again); TCP: a connection.
        public static long Connect(File f, ulong address, int length)
        {
            InetSocket s = f.Inet;
            int err = ReadAddress(address, length, !s.IsStream, out InetAddress a, out int family);
            if (err != 0) return err;
            if (s.IsStream) return Tcp.Connect(f, a, f.IsNonblocking);
            if (family == InetAddress.AF_UNSPEC) { Disconnect(s); return 0; }
            if (!a.IsLocal) return -Errno.ENETUNREACH;
            ulong flags = Scheduler.Lock();
            err = Inet.AutobindLocked(s, InetAddress.Any);
            if (err == 0) { s.Remote = a.Destination; s.Connected = true; }
            Scheduler.Unlock(flags);
            return err;
        }

        private static void Disconnect(InetSocket s)
        {
            ulong flags = Scheduler.Lock();
            s.Connected = false;
            s.Remote = default;
            Scheduler.Unlock(flags);
        }

        public static long Accept(File f, ulong address, ulong lengthPtr, int flags)
        {
            if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
            if (!f.Inet.IsStream) return -Errno.EOPNOTSUPP;
            if (address != 0 && lengthPtr != 0 && !UserMemory.Read(lengthPtr, out int _)) return -Errno.EFAULT;
            int err = Tcp.Accept(f.Inet, f.IsNonblocking, out InetSocket connection);
            if (err != 0) return err;
            File accepted = Tcp.FileOf(connection, flags & SOCK_NONBLOCK);
            FileTable table = Processes.Current.Files;
            int fd = table.Install(accepted, (flags & SOCK_CLOEXEC) != 0, 0, Limits.OpenFiles(Processes.Current));
            if (fd < 0) { accepted.Release(); return -Errno.EMFILE; }
            err = WriteAddress(connection.Remote, address, lengthPtr);
            if (err != 0) { table.Close(fd); return err; }
            return fd;
        }

        public static long Name(File f, bool peer, ulong address, ulong lengthPtr)
        {
            if (!UserMemory.Read(lengthPtr, out int room)) return -Errno.EFAULT;
            if (room < 0) return -Errno.EINVAL;
            byte* s = stackalloc byte[InetAddress.SockaddrSize];
            int err = Inet.Name(f.Inet, peer, s);
            if (err != 0) return err;
            int n = room < InetAddress.SockaddrSize ? room : InetAddress.SockaddrSize;
            if ((n > 0 && !UserMemory.CopyOut(address, s, (ulong)n)) || !UserMemory.Write(lengthPtr, InetAddress.SockaddrSize)) return -Errno.EFAULT;
            return 0;
        }

        // ---- data ---------------------------------------------------------------

        // read/write/send/recv of an AF_INET socket that moves no bytes through
        // pipes: UDP, or TCP before a connection (ENOTCONN to read, EPIPE to write).
        public static bool UsesPipes(File f) => f.Pipe != null;

        public static long Write(File f, ulong buffer, ulong count, bool nonblock)
        {
            if (f.Inet.IsStream) return -Errno.EPIPE;
            return SendDatagram(f, buffer, count, false, default);
        }

        public static long Read(File f, ulong buffer, ulong count, bool nonblock)
        {
            if (f.Inet.IsStream) return -Errno.ENOTCONN;
            return ReceiveDatagram(f, buffer, count, 0, nonblock, 0, 0, out _);
        }

        // sendto on AF_INET. A connected TCP socket ignores the address, as Linux.
        public static long Sendto(File f, ulong buffer, ulong length, int flags, ulong address, int addressLength)
        {
            bool nonblock = (flags & MSG_DONTWAIT) != 0 || f.IsNonblocking;
            if (f.Inet.IsStream) return UsesPipes(f) ? SysIo.WriteSocket(f, buffer, length, nonblock) : -Errno.EPIPE;
            InetAddress to = default;
            if (address != 0)
            {
                int err = ReadAddress(address, addressLength, false, out to, out _);
                if (err != 0) return err;
            }
            return SendDatagram(f, buffer, length, address != 0, to);
        }

        private static long SendDatagram(File f, ulong buffer, ulong length, bool addressed, InetAddress to)
        {
            if (length > Inet.MaxDatagram) return -Errno.EMSGSIZE;
            var data = new byte[(int)length];
            fixed (byte* d = data)
                if (length > 0 && !UserMemory.CopyIn(d, buffer, length)) { KernelHeap.Free(data); return -Errno.EFAULT; }
            return Udp.Send(f, data, addressed, to);
        }

        public static long Recvfrom(File f, ulong buffer, ulong length, int flags, ulong address, ulong lengthPtr)
        {
            bool nonblock = (flags & MSG_DONTWAIT) != 0 || f.IsNonblocking;
            if (f.Inet.IsStream)
            {
                if (!UsesPipes(f)) return -Errno.ENOTCONN;
                long got = SysIo.ReadSocket(f, buffer, length, nonblock);
                // A stream names no sender: length 0, as Linux.
                if (got >= 0 && address != 0 && lengthPtr != 0 && !UserMemory.Write(lengthPtr, 0)) return -Errno.EFAULT;
                return got;
            }
            return ReceiveDatagram(f, buffer, length, flags, nonblock, address, lengthPtr, out _);
        }

        // One datagram into `buffer` (cut to `length`; MSG_TRUNC returns its
        // real length), its sender to (address, *lengthPtr); `truncated` says
        // whether it was cut (recvmsg's MSG_TRUNC).
        private static long ReceiveDatagram(File f, ulong buffer, ulong length, int flags, bool nonblock, ulong address, ulong lengthPtr,
                                            out bool truncated)
        {
            truncated = false;
            int err = Udp.Receive(f, nonblock, (flags & MSG_PEEK) != 0, out Datagram d);
            if (err != 0) return err;
            if (d == null) return 0;   // shut for reading
            int size = d.Data.Length;
            int n = (ulong)size < length ? size : (int)length;
            truncated = n < size;
            long result = (flags & MSG_TRUNC) != 0 ? size : n;
            fixed (byte* data = d.Data)
                if (n > 0 && !UserMemory.CopyOut(buffer, data, (ulong)n)) result = -Errno.EFAULT;
            if (result >= 0)
            {
                int e = WriteAddress(d.From, address, lengthPtr);
                if (e != 0) result = e;
            }
            Udp.Free(d);
            return result;
        }

        // struct msghdr { name, namelen, iov, iovlen, control, controllen, flags }.
        private struct MsgHeader
        {
            public ulong Name; public int NameLength, Pad0; public ulong Iov, IovLength, Control, ControlLength; public int Flags, Pad1;
        }

        private const int IovMax = 1024;

        public static long Sendmsg(File f, ulong message, int flags)
        {
            if (!UserMemory.Read(message, out MsgHeader m)) return -Errno.EFAULT;
            if (m.ControlLength != 0) return -Errno.EOPNOTSUPP;
            if (m.IovLength > IovMax) return -Errno.EMSGSIZE;
            bool nonblock = (flags & MSG_DONTWAIT) != 0 || f.IsNonblocking;
            if (f.Inet.IsStream)
            {
                if (!UsesPipes(f)) return -Errno.EPIPE;
                long total = 0;
                for (ulong i = 0; i < m.IovLength; i++)
                {
                    if (!ReadIov(m.Iov, i, out ulong b, out ulong len)) return total > 0 ? total : -Errno.EFAULT;
                    if (len == 0) continue;
                    long r = SysIo.WriteSocket(f, b, len, nonblock);
                    if (r < 0) return total > 0 ? total : r;
                    total += r;
                    if ((ulong)r < len) break;
                }
                return total;
            }
            InetAddress to = default;
            if (m.Name != 0 && m.NameLength != 0)
            {
                int err = ReadAddress(m.Name, m.NameLength, false, out to, out _);
                if (err != 0) return err;
            }
            // The iovecs gathered into one datagram.
            ulong size = 0;
            for (ulong i = 0; i < m.IovLength; i++)
            {
                if (!ReadIov(m.Iov, i, out _, out ulong len)) return -Errno.EFAULT;
                size += len;
                if (size > Inet.MaxDatagram) return -Errno.EMSGSIZE;
            }
            var data = new byte[(int)size];
            ulong at = 0;
            fixed (byte* d = data)
                for (ulong i = 0; i < m.IovLength; i++)
                {
                    ReadIov(m.Iov, i, out ulong b, out ulong len);
                    if (len > 0 && (at + len > size || !UserMemory.CopyIn(d + at, b, len))) { KernelHeap.Free(data); return -Errno.EFAULT; }
                    at += len;
                }
            return Udp.Send(f, data, m.Name != 0 && m.NameLength != 0, to);
        }

        private static bool ReadIov(ulong iov, ulong i, out ulong b, out ulong len)
        {
            len = 0;
            return UserMemory.Read(iov + i * 16, out b) && UserMemory.Read(iov + i * 16 + 8, out len);
        }

        public static long Recvmsg(File f, ulong message, int flags)
        {
            if (!UserMemory.Read(message, out MsgHeader m)) return -Errno.EFAULT;
            if (m.IovLength > IovMax) return -Errno.EMSGSIZE;
            bool nonblock = (flags & MSG_DONTWAIT) != 0 || f.IsNonblocking;
            long total = 0;
            int outFlags = 0;
            if (f.Inet.IsStream)
            {
                if (!UsesPipes(f)) return -Errno.ENOTCONN;
                for (ulong i = 0; i < m.IovLength; i++)
                {
                    if (!ReadIov(m.Iov, i, out ulong b, out ulong len)) return total > 0 ? total : -Errno.EFAULT;
                    if (len == 0) continue;
                    long r = SysIo.ReadSocket(f, b, len, nonblock);
                    if (r < 0) return total > 0 ? total : r;
                    total += r;
                    if ((ulong)r < len) break;
                }
                if (!UserMemory.Write(message + 8, 0)) return -Errno.EFAULT;   // no name
            }
            else
            {
                int err = Udp.Receive(f, nonblock, (flags & MSG_PEEK) != 0, out Datagram d);
                if (err != 0) return err;
                if (d != null)
                {
                    total = Scatter(d.Data, m, out bool truncated);
                    if (truncated) outFlags |= MSG_TRUNC;
                    if (total >= 0 && (flags & MSG_TRUNC) != 0) total = d.Data.Length;
                    if (total >= 0 && m.Name != 0)
                    {
                        byte* s = stackalloc byte[InetAddress.SockaddrSize];
                        d.From.Write(s);
                        int n = m.NameLength < InetAddress.SockaddrSize ? (m.NameLength < 0 ? 0 : m.NameLength) : InetAddress.SockaddrSize;
                        if ((n > 0 && !UserMemory.CopyOut(m.Name, s, (ulong)n)) || !UserMemory.Write(message + 8, InetAddress.SockaddrSize))
                            total = -Errno.EFAULT;
                    }
                    Udp.Free(d);
                    if (total < 0) return total;
                }
            }
            // No ancillary data.
            if (!UserMemory.Write(message + 40, 0UL) || !UserMemory.Write(message + 48, outFlags)) return -Errno.EFAULT;
            return total;
        }

        private static long Scatter(byte[] data, MsgHeader m, out bool truncated)
        {
            int done = 0;
            fixed (byte* d = data)
                for (ulong i = 0; i < m.IovLength && done < data.Length; i++)
                {
                    if (!ReadIov(m.Iov, i, out ulong b, out ulong len)) { truncated = false; return -Errno.EFAULT; }
                    int take = (ulong)(data.Length - done) < len ? data.Length - done : (int)len;
                    if (take > 0 && !UserMemory.CopyOut(b, d + done, (ulong)take)) { truncated = false; return -Errno.EFAULT; }
                    done += take;
                }
            truncated = done < data.Length;
            return done;
        }

        // ---- shutdown and options -----------------------------------------------

        public static long Shutdown(File f, int how)
        {
            InetSocket s = f.Inet;
            ulong flags = Scheduler.Lock();
            long result = 0;
            InetSocket pending = null;
            bool pipes = UsesPipes(f);
            if (s.Listening && how != Sockets.SHUT_WR) pending = Tcp.StopListeningLocked(s);
            else if (s.Listening || (!s.Connected && !pipes)) result = -Errno.ENOTCONN;
            else if (!pipes)
            {
                // A connected UDP socket: reads end, sends fail (EPIPE).
                f.ReadShut |= how != Sockets.SHUT_WR;
                f.WriteShut |= how != Sockets.SHUT_RD;
                Scheduler.WakeLocked(s.Waiters, int.MaxValue);
                PollWait.WakeLocked();
            }
            Scheduler.Unlock(flags);
            Tcp.Discard(pending);
            if (result == 0 && pipes) Sockets.Shutdown(f, how);
            return result;
        }

        private const int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_BROADCAST = 6, SO_SNDBUF = 7,
            SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_LINGER = 13, SO_REUSEPORT = 15, SO_RCVTIMEO = 20, SO_SNDTIMEO = 21,
            SO_ACCEPTCONN = 30, SO_PROTOCOL = 38, SO_DOMAIN = 39;
        private const int IPPROTO_IP = 0, IP_TOS = 1, IP_TTL = 2, TCP_NODELAY = 1;

        public static long Getsockopt(File f, int level, int option, ulong value, ulong lengthPtr)
        {
            InetSocket s = f.Inet;
            if (!UserMemory.Read(lengthPtr, out int room)) return -Errno.EFAULT;
            if (room < 0) return -Errno.EINVAL;
            if (level == SOL_SOCKET && (option == SO_RCVTIMEO || option == SO_SNDTIMEO))
            {
                ulong ns = option == SO_RCVTIMEO ? s.ReceiveTimeoutNs : s.SendTimeoutNs;
                long* tv = stackalloc long[2];
                tv[0] = (long)(ns / 1_000_000_000); tv[1] = (long)(ns % 1_000_000_000 / 1000);
                int m = room < 16 ? room : 16;
                return UserMemory.CopyOut(value, tv, (ulong)m) && UserMemory.Write(lengthPtr, m) ? 0 : -Errno.EFAULT;
            }
            int answer;
            if (level == SOL_SOCKET)
            {
                switch (option)
                {
                    case SO_TYPE: answer = s.Type; break;
                    case SO_ERROR: answer = Inet.TakeError(s); break;
                    case SO_DOMAIN: answer = InetAddress.AF_INET; break;
                    case SO_PROTOCOL: answer = s.IsStream ? Inet.IPPROTO_TCP : Inet.IPPROTO_UDP; break;
                    case SO_ACCEPTCONN: answer = s.Listening ? 1 : 0; break;
                    case SO_REUSEADDR: answer = s.ReuseAddress ? 1 : 0; break;
                    case SO_KEEPALIVE: answer = s.KeepAlive ? 1 : 0; break;
                    case SO_BROADCAST: answer = s.Broadcast ? 1 : 0; break;
                    case SO_RCVBUF: answer = s.IsStream ? Pipe.Capacity : Inet.ReceiveBuffer; break;
                    case SO_SNDBUF: answer = s.IsStream ? Pipe.Capacity : Inet.ReceiveBuffer; break;
                    default: return -Errno.ENOPROTOOPT;
                }
            }
            else if (level == Inet.IPPROTO_TCP && s.IsStream && option == TCP_NODELAY) answer = s.NoDelay ? 1 : 0;
            else if (level == IPPROTO_IP && option == IP_TTL) answer = 64;
            else if (level == IPPROTO_IP && option == IP_TOS) answer = 0;
            else return -Errno.ENOPROTOOPT;
            int n = room < 4 ? room : 4;
            if (!UserMemory.CopyOut(value, &answer, (ulong)n) || !UserMemory.Write(lengthPtr, n)) return -Errno.EFAULT;
            return 0;
        }

        // Options kept (reuse, keepalive, broadcast, no-delay, timeouts) or
        // accepted and without effect on loopback (buffer sizes, linger, TOS, TTL).
        public static long Setsockopt(File f, int level, int option, ulong value, int length)
        {
            InetSocket s = f.Inet;
            if (level == SOL_SOCKET && (option == SO_RCVTIMEO || option == SO_SNDTIMEO))
            {
                if (length < 16) return -Errno.EINVAL;
                if (!UserMemory.Read(value, out long seconds) || !UserMemory.Read(value + 8, out long micros)) return -Errno.EFAULT;
                if (micros < 0 || micros >= 1_000_000) return -Errno.EDOM;
                ulong ns = seconds < 0 ? 0 : (ulong)seconds * 1_000_000_000 + (ulong)micros * 1000;
                if (option == SO_RCVTIMEO) s.ReceiveTimeoutNs = ns; else s.SendTimeoutNs = ns;
                return 0;
            }
            if (level == SOL_SOCKET && option == SO_LINGER)
            {
                if (length < 8) return -Errno.EINVAL;
                return UserMemory.Read(value, out ulong _) ? 0 : -Errno.EFAULT;
            }
            bool known = level == SOL_SOCKET
                ? option == SO_REUSEADDR || option == SO_REUSEPORT || option == SO_KEEPALIVE || option == SO_BROADCAST
                  || option == SO_SNDBUF || option == SO_RCVBUF
                : level == Inet.IPPROTO_TCP ? s.IsStream && option == TCP_NODELAY
                : level == IPPROTO_IP && (option == IP_TOS || option == IP_TTL);
            if (!known) return -Errno.ENOPROTOOPT;
            if (length < 4) return -Errno.EINVAL;
            if (!UserMemory.Read(value, out int on)) return -Errno.EFAULT;
            if (level == SOL_SOCKET && option == SO_REUSEADDR) s.ReuseAddress = on != 0;
            if (level == SOL_SOCKET && option == SO_KEEPALIVE) s.KeepAlive = on != 0;
            if (level == SOL_SOCKET && option == SO_BROADCAST) s.Broadcast = on != 0;
            if (level == Inet.IPPROTO_TCP) s.NoDelay = on != 0;
            return 0;
        }
    }
}
