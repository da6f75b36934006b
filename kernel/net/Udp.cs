using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;

namespace Sticky.Net
{
    // UDP on loopback: a datagram is put on the queue of the socket bound to
    // its destination (up to Inet.ReceiveBuffer bytes queued, past that it is
    // dropped, as a full socket buffer drops it). A connected socket takes
    // datagrams only from its peer, and learns (SO_ERROR, POLLERR, the next
    // send or receive: ECONNREFUSED) when one of its own found nobody, as
    // Linux's ICMP port-unreachable tells it. Scheduler lock for all of it.
    public static class Udp
    {
        // sendto / send: `data` is the datagram, copied in by the caller, and
        // from here on this code's (queued or freed). `to` is used when
        // `addressed`, else the peer (EDESTADDRREQ without one).
        public static long Send(File f, byte[] data, bool addressed, InetAddress to)
        {
            InetSocket s = f.Inet;
            if (addressed && !to.IsLocal) { KernelHeap.Free(data); return -Errno.ENETUNREACH; }
            bool queued = false;
            long result = data.Length;
            ulong flags = Scheduler.Lock();
            if (s.PendingError != 0) { result = -s.PendingError; s.PendingError = 0; }
            else if (f.WriteShut) result = -Errno.EPIPE;
            else if (!addressed && !s.Connected) result = -Errno.EDESTADDRREQ;
            else if (Inet.AutobindLocked(s, InetAddress.Any) != 0) result = -Errno.EAGAIN;
            else
            {
                InetAddress destination = (addressed ? to : s.Remote).Destination;
                var from = new InetAddress(s.Local.Address != InetAddress.Any ? s.Local.Address : destination.Address, s.Local.Port);
                var receiver = (InetSocket)Inet.Ports(s).Find(destination);
                if (receiver != null && receiver.Connected && !receiver.Remote.Equals(from)) receiver = null;
                if (receiver != null)
                {
                    if (receiver.QueuedBytes + data.Length <= Inet.ReceiveBuffer)
                    {
                        Enqueue(receiver, new Datagram { From = from, Data = data });
                        queued = true;
                    }
                }
                else if (s.Connected)
                {
                    s.PendingError = Errno.ECONNREFUSED;   // port unreachable comes back to a connected sender
                    Scheduler.WakeLocked(s.Waiters, int.MaxValue);
                    PollWait.WakeLocked();
                }
            }
            Scheduler.Unlock(flags);
            if (!queued) KernelHeap.Free(data);
            return result;
        }

        private static void Enqueue(InetSocket s, Datagram d)
        {
            if (s.Last == null) s.First = d; else s.Last.Next = d;
            s.Last = d;
            s.QueuedBytes += d.Data.Length;
            Scheduler.WakeLocked(s.Waiters, int.MaxValue);
            PollWait.WakeLocked();
        }

        // recv*: the oldest datagram, now the caller's (a copy with `peek`,
        // which leaves it queued), waiting for one unless `nonblock`
        // (SO_RCVTIMEO bounds the wait: EAGAIN). A pending error comes first.
        // 0, -EAGAIN, -ERESTARTSYS (a signal), -ECONNREFUSED; null and 0 at
        // end of file after shutdown(SHUT_RD).
        public static int Receive(File f, bool nonblock, bool peek, out Datagram d)
        {
            InetSocket s = f.Inet;
            d = null;
            ulong deadline = Inet.Deadline(s.ReceiveTimeoutNs);
            while (true)
            {
                ulong flags = Scheduler.Lock();
                int err = s.PendingError;
                if (err != 0) { s.PendingError = 0; Scheduler.Unlock(flags); return -err; }
                if (s.First != null)
                {
                    if (peek) d = new Datagram { From = s.First.From, Data = Copy(s.First.Data) };
                    else
                    {
                        d = s.First;
                        s.First = d.Next;
                        if (s.First == null) s.Last = null;
                        s.QueuedBytes -= d.Data.Length;
                        d.Next = null;
                    }
                    Scheduler.Unlock(flags);
                    return 0;
                }
                if (f.ReadShut) { Scheduler.Unlock(flags); return 0; }
                if (nonblock) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                WakeReason why = Scheduler.WaitLocked(s.Waiters, deadline, flags);
                if (why == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
                if (why == WakeReason.TimedOut) return -Errno.EAGAIN;
            }
        }

        private static byte[] Copy(byte[] a)
        {
            var copy = new byte[a.Length];
            for (int i = 0; i < a.Length; i++) copy[i] = a[i];
            return copy;
        }

        public static void Free(Datagram d)
        {
            while (d != null)
            {
                Datagram next = d.Next;
                KernelHeap.Free(d.Data);
                KernelHeap.Free(d);
                d = next;
            }
        }
    }
}
