using Sticky.Proc;

namespace Sticky.Io
{
    // Unix-domain socket pairs (socketpair(2)): each end reads from one pipe
    // and writes to the other, so the two directions are independent, as
    // shutdown(2) wants. SOCK_DGRAM and SOCK_SEQPACKET pipes keep message
    // boundaries. A connected TCP socket (kernel/net/Tcp.cs) is the same two
    // pipes; named Unix sockets do not exist.
    public static class Sockets
    {
        public const int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5;
        public const int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

        public static void MakePair(int type, out File a, out File b)
        {
            var ab = new Pipe { Records = type != SOCK_STREAM };   // a writes, b reads
            var ba = new Pipe { Records = type != SOCK_STREAM };
            a = new File { Kind = FileKind.Socket, Pipe = ba, OutPipe = ab, SocketType = type, Flags = File.O_RDWR };
            b = new File { Kind = FileKind.Socket, Pipe = ab, OutPipe = ba, SocketType = type, Flags = File.O_RDWR };
        }

        // shutdown(2): a shut reading side reads end-of-file at once; a shut writing side is EPIPE.
        public static void Shutdown(File f, int how)
        {
            bool read = how != SHUT_WR, write = how != SHUT_RD;
            ulong flags = Scheduler.Lock();
            bool closeRead = read && !f.ReadShut, closeWrite = write && !f.WriteShut;
            f.ReadShut |= read;
            f.WriteShut |= write;
            Scheduler.Unlock(flags);
            if (closeRead) f.Pipe.CloseEnd(reader: true);
            if (closeWrite) f.OutPipe.CloseEnd(reader: false);
        }

        // The last reference to an end: whatever shutdown left open closes.
        public static void Close(File f)
        {
            if (f.Inet != null) Sticky.Net.Inet.Close(f);
            else ClosePipes(f);
        }

        public static void ClosePipes(File f)
        {
            Shutdown(f, SHUT_RDWR);
            f.Pipe.Drop();
            f.OutPipe.Drop();
        }

        // Scheduler lock held. As Linux's unix_poll: readable with data, or
        // at end of file (POLLRDHUP); POLLHUP once both directions are gone.
        public static int PollLocked(File f)
        {
            int events = 0;
            bool readEnd = f.ReadShut || (f.Pipe.PollLocked(reader: true) & PollWait.POLLHUP) != 0;
            if (!f.ReadShut) events |= f.Pipe.PollLocked(reader: true) & PollWait.Readable;
            if (readEnd) events |= PollWait.Readable | PollWait.POLLRDHUP;
            bool writeEnd = f.WriteShut || (f.OutPipe.PollLocked(reader: false) & PollWait.POLLERR) != 0;
            if (!writeEnd) events |= f.OutPipe.PollLocked(reader: false) & PollWait.Writable;
            if (readEnd && writeEnd) events |= PollWait.POLLHUP | PollWait.Writable;
            return events;
        }
    }
}
