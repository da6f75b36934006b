using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Time;

namespace Sticky.Net
{
    // AF_INET on a machine whose only interface is loopback: UDP (Udp.cs)
    // and TCP (Tcp.cs) between the processes of this machine, with no
    // packets, checksums or retransmission -- a datagram goes straight onto
    // its receiver's queue, a TCP connection is two pipes crosswise, as a
    // socket pair is. Addresses are 127.0.0.0/8 and INADDR_ANY; anything
    // else is EADDRNOTAVAIL to bind and ENETUNREACH to reach.
    //
    // Locking: every socket's state, and the two port tables, are guarded by
    // the scheduler lock (as pipes and poll's queue are); user memory is
    // copied outside it.
    public static unsafe class Inet
    {
        public const int IPPROTO_IP = 0, IPPROTO_TCP = 6, IPPROTO_UDP = 17;
        public const int SOCK_RAW = 3;
        public const int ReceiveBuffer = 212992;      // a UDP socket's queue: Linux's default rmem
        public const int MaxDatagram = 65507;         // 65535 less the IP and UDP headers

        private static PortTable _udp, _tcp;

        // At boot: made on first use, they would count as the first program's leak.
        public static void Init()
        {
            _udp = new PortTable();
            _tcp = new PortTable();
        }

        public static PortTable Ports(InetSocket s) => s.IsStream ? _tcp : _udp;

        // socket(AF_INET, type, protocol): 0 and a new file, or -errno.
        public static int Create(int type, int protocol, out File file)
        {
            file = null;
            if (type == Sockets.SOCK_STREAM) { if (protocol != IPPROTO_IP && protocol != IPPROTO_TCP) return -Errno.EPROTONOSUPPORT; }
            else if (type == Sockets.SOCK_DGRAM) { if (protocol != IPPROTO_IP && protocol != IPPROTO_UDP) return -Errno.EPROTONOSUPPORT; }
            else return type == SOCK_RAW ? -Errno.EPROTONOSUPPORT : -Errno.ESOCKTNOSUPPORT;
            file = new File { Kind = FileKind.Socket, SocketType = type, Flags = File.O_RDWR, Inet = new InetSocket { Type = type } };
            return 0;
        }

        public static int Bind(InetSocket s, InetAddress at)
        {
            if (!at.IsLocal) return -Errno.EADDRNOTAVAIL;
            ulong flags = Scheduler.Lock();
            int err = s.Bound ? -Errno.EINVAL : Ports(s).Bind(ref at, s);
            if (err == 0) { s.Local = at; s.Bound = true; }
            Scheduler.Unlock(flags);
            return err == -Errno.EAGAIN ? -Errno.EADDRINUSE : err;
        }

        // Lock held: an ephemeral port on `address` for a socket that sends,
        // connects or listens unbound, as Linux's autobind. 0 or -EAGAIN.
        public static int AutobindLocked(InetSocket s, uint address)
        {
            if (s.Bound) return 0;
            var at = new InetAddress(address, 0);
            int err = Ports(s).Bind(ref at, s);
            if (err != 0) return err;
            s.Local = at;
            s.Bound = true;
            return 0;
        }

        // getsockname (the bound address, or 0.0.0.0:0) or getpeername (ENOTCONN without a peer).
        public static int Name(InetSocket s, bool peer, byte* sockaddr)
        {
            ulong flags = Scheduler.Lock();
            InetAddress a = peer ? s.Remote : s.Local;
            bool connected = s.Connected;
            Scheduler.Unlock(flags);
            if (peer && !connected) return -Errno.ENOTCONN;
            a.Write(sockaddr);
            return 0;
        }

        // SO_ERROR: the pending error, taken.
        public static int TakeError(InetSocket s)
        {
            ulong flags = Scheduler.Lock();
            int err = s.PendingError;
            s.PendingError = 0;
            Scheduler.Unlock(flags);
            return err;
        }

        // A wait's end for SO_RCVTIMEO / SO_SNDTIMEO (0: none).
        public static ulong Deadline(ulong timeoutNs) => timeoutNs == 0 ? 0 : Clock.NowNanoseconds + timeoutNs;

        // Lock held: poll(2)'s view, as Linux's udp_poll and tcp_poll.
        public static int PollLocked(File f)
        {
            InetSocket s = f.Inet;
            int events = s.PendingError != 0 ? PollWait.POLLERR : 0;
            if (!s.IsStream)
                return events | PollWait.Writable | (s.First != null ? PollWait.Readable : 0)
                     | (f.ReadShut && f.WriteShut ? PollWait.POLLHUP : 0);
            if (s.Listening) return events | (s.FirstPending != null ? PollWait.Readable : 0);
            if (f.Pipe == null) return events | PollWait.Writable | PollWait.POLLHUP;   // never connected
            return events | Sockets.PollLocked(f);
        }

        // The last reference to the socket's file: its port, what is queued on
        // it, a listener's unaccepted connections, its pipes.
        public static void Close(File f)
        {
            InetSocket s = f.Inet;
            ulong flags = Scheduler.Lock();
            if (s.Bound) Ports(s).Unbind(s);
            Datagram datagrams = s.First;
            s.First = s.Last = null;
            InetSocket pending = Tcp.StopListeningLocked(s);
            PollWait.WakeLocked();
            Scheduler.Unlock(flags);
            Udp.Free(datagrams);
            Tcp.Discard(pending);
            if (f.Pipe != null) Sockets.ClosePipes(f);
            KernelHeap.Free(s.Waiters);
            KernelHeap.Free(s);
        }
    }
}
