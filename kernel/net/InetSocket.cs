using Sticky.Io;
using Sticky.Proc;

namespace Sticky.Net
{
    // One AF_INET socket on the loopback machine (Inet.cs). Its state is
    // guarded by the scheduler lock, like the pipes a TCP connection uses and
    // the wait queue its callers sleep on, so poll sees it the same way.
    public sealed class InetSocket
    {
        public int Type;                          // SOCK_STREAM (TCP) or SOCK_DGRAM (UDP)
        public InetAddress Local, Remote;
        public bool Bound, Connected, Listening;
        public int PendingError;                  // SO_ERROR: a UDP peer's port unreachable (ECONNREFUSED)
        public bool ReuseAddress, KeepAlive, NoDelay, Broadcast;
        public ulong ReceiveTimeoutNs, SendTimeoutNs;   // SO_RCVTIMEO, SO_SNDTIMEO (0: none)
        public WaitQueue Waiters = new WaitQueue();     // receivers, acceptors, connectors

        // UDP: datagrams waiting, oldest first, and their bytes.
        public Datagram First, Last;
        public int QueuedBytes;

        // TCP listener: connections not yet accepted (oldest first).
        public int Backlog;
        public InetSocket FirstPending, LastPending, NextPending;
        public int PendingCount;

        // TCP connection made but not yet accepted: its ends of the two pipes.
        public Pipe In, Out;

        public bool IsStream => Type == Sockets.SOCK_STREAM;
    }

    // A UDP datagram waiting to be received.
    public sealed class Datagram
    {
        public InetAddress From;
        public byte[] Data;
        public Datagram Next;
    }
}
