using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;

namespace Sticky.Net
{
    // TCP on loopback: connect finds the listener bound to the destination
    // (ECONNREFUSED if none), makes the connection at once -- two pipes
    // crosswise, the client's ends on its file, the server's on a new socket
    // queued on the listener -- and accept takes the oldest one. Reads,
    // writes, shutdown and poll are then a socket pair's (Sockets.cs).
    // A listener takes up to its backlog + 1 connections before connect
    // waits for an accept (a non-blocking connect: EAGAIN). Closing a
    // listener ends its unaccepted connections (their clients read end of
    // file; Linux would reset them). Scheduler lock for all of it.
    public static class Tcp
    {
        public const int MaxBacklog = 4096;   // SOMAXCONN

        public static int Listen(InetSocket s, int backlog)
        {
            if (!s.IsStream) return -Errno.EOPNOTSUPP;
            ulong flags = Scheduler.Lock();
            int err = s.Connected ? -Errno.EINVAL : Inet.AutobindLocked(s, InetAddress.Any);
            if (err == 0)
            {
                s.Listening = true;
                s.Backlog = backlog < 0 ? 0 : backlog > MaxBacklog ? MaxBacklog : backlog;
            }
            Scheduler.Unlock(flags);
            return err == -Errno.EAGAIN ? -Errno.EADDRINUSE : err;
        }

        // 0, or -EISCONN, -ENETUNREACH, -ECONNREFUSED, -EAGAIN, -ERESTARTSYS.
        public static int Connect(File f, InetAddress to, bool nonblock)
        {
            InetSocket s = f.Inet;
            if (!to.IsLocal) return -Errno.ENETUNREACH;
            InetAddress destination = to.Destination;
            // Made outside the lock: the connection's pipes and the server's socket.
            var up = new Pipe();      // client writes, server reads
            var down = new Pipe();    // server writes, client reads
            var server = new InetSocket { Type = Sockets.SOCK_STREAM, In = up, Out = down };
            int err;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                var listener = (InetSocket)Inet.Ports(s).Find(destination);
                if (s.Connected || s.Listening) err = -Errno.EISCONN;
                else if (listener == null || !listener.Listening) err = -Errno.ECONNREFUSED;
                else if (listener.PendingCount > listener.Backlog)
                {
                    if (nonblock) err = -Errno.EAGAIN;
                    else
                    {
                        // Accept (or the listener's end) wakes poll's queue: wait there, the listener may go.
                        if (Scheduler.WaitLocked(PollWait.Waiters, 0, flags) == WakeReason.Interrupted) { err = -SyscallRestart.ERESTARTSYS; break; }
                        continue;
                    }
                }
                else if (Inet.AutobindLocked(s, (destination.Address >> 24) == 127 ? destination.Address : InetAddress.Loopback) != 0) err = -Errno.EAGAIN;
                else
                {
                    server.Local = new InetAddress(destination.Address, listener.Local.Port);
                    server.Remote = s.Local;
                    server.Connected = true;
                    if (listener.LastPending == null) listener.FirstPending = server; else listener.LastPending.NextPending = server;
                    listener.LastPending = server;
                    listener.PendingCount++;
                    s.Remote = destination;
                    s.Connected = true;
                    f.Pipe = down;
                    f.OutPipe = up;
                    Scheduler.WakeLocked(listener.Waiters, int.MaxValue);
                    PollWait.WakeLocked();
                    err = 0;
                }
                Scheduler.Unlock(flags);
                break;
            }
            if (err != 0) Discard(server);
            return err;
        }

        // The oldest unaccepted connection of a listener (EINVAL if it is not
        // one), waiting for one unless `nonblock` (SO_RCVTIMEO bounds the
        // wait: EAGAIN); -ERESTARTSYS after a signal.
        public static int Accept(InetSocket s, bool nonblock, out InetSocket connection)
        {
            connection = null;
            ulong deadline = Inet.Deadline(s.ReceiveTimeoutNs);
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (!s.Listening) { Scheduler.Unlock(flags); return -Errno.EINVAL; }
                if (s.FirstPending != null)
                {
                    connection = s.FirstPending;
                    s.FirstPending = connection.NextPending;
                    if (s.FirstPending == null) s.LastPending = null;
                    connection.NextPending = null;
                    s.PendingCount--;
                    PollWait.WakeLocked();   // a connect waiting for room
                    Scheduler.Unlock(flags);
                    return 0;
                }
                if (nonblock) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                WakeReason why = Scheduler.WaitLocked(s.Waiters, deadline, flags);
                if (why == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
                if (why == WakeReason.TimedOut) return -Errno.EAGAIN;
            }
        }

        // The accepted connection as an open file (the socket is the file's now).
        public static File FileOf(InetSocket connection, int statusFlags) =>
            new File
            {
                Kind = FileKind.Socket, SocketType = Sockets.SOCK_STREAM, Flags = File.O_RDWR | statusFlags,
                Inet = connection, Pipe = connection.In, OutPipe = connection.Out,
            };

        // Lock held: a listener stops (closed, or shut down for reading); its
        // unaccepted connections, which the caller discards outside the lock.
        public static InetSocket StopListeningLocked(InetSocket s)
        {
            if (!s.Listening) return null;
            InetSocket pending = s.FirstPending;
            s.FirstPending = s.LastPending = null;
            s.PendingCount = 0;
            s.Listening = false;
            Scheduler.WakeLocked(s.Waiters, int.MaxValue);   // acceptors see EINVAL
            PollWait.WakeLocked();
            return pending;
        }

        // Connections nobody will accept: their server ends close, as a file's
        // close would (the client reads end of file, its writes get EPIPE).
        public static void Discard(InetSocket connection)
        {
            while (connection != null)
            {
                InetSocket next = connection.NextPending;
                connection.In.CloseEnd(reader: true);
                connection.Out.CloseEnd(reader: false);
                connection.In.Drop();
                connection.Out.Drop();
                if (!connection.Connected)
                {
                    // Never connected (a failed connect): the client's ends were never taken either.
                    connection.In.CloseEnd(reader: false);
                    connection.Out.CloseEnd(reader: true);
                    connection.In.Drop();
                    connection.Out.Drop();
                }
                KernelHeap.Free(connection.Waiters);
                KernelHeap.Free(connection);
                connection = next;
            }
        }
    }
}
