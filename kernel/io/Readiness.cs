namespace Sticky.Io
{
    // poll's view of an open file: which of POLLIN, POLLOUT, POLLHUP,
    // POLLERR, POLLRDHUP hold now, for every kind of file. Files of the tree
    // and devices never wait, as on Linux.
    public static class Readiness
    {
        // Scheduler lock held (pipes, sockets, eventfds and the terminal are guarded by it).
        public static int EventsLocked(File f)
        {
            switch (f.Kind)
            {
                case FileKind.Console: return Sticky.Tty.Terminal.PollLocked();
                case FileKind.KernelConsole: return PollWait.Writable;
                case FileKind.PipeReader: return f.Pipe.PollLocked(reader: true);
                case FileKind.PipeWriter: return f.Pipe.PollLocked(reader: false);
                case FileKind.EventFd: return f.Counter.PollLocked();
                case FileKind.Socket: return f.Inet != null ? Sticky.Net.Inet.PollLocked(f) : Sockets.PollLocked(f);
                case FileKind.Epoll: return f.Epoll.AnyReadyLocked() ? PollWait.Readable : 0;
                default: return PollWait.Readable | PollWait.Writable;
            }
        }
    }
}
