using Sticky.Proc;

namespace Sticky.Io
{
    // poll's view of an open file: which of POLLIN, POLLOUT, POLLHUP,
    // POLLERR hold now. Files of the tree are always ready, as on Linux.
    public static class Readiness
    {
        // Scheduler lock held (pipes, sockets, eventfds and console input are guarded by it).
        public static int EventsLocked(File f)
        {
            switch (f.Kind)
            {
                case FileKind.Console: return (ConsoleInput.ReadyLocked ? IoEvents.Readable : 0) | IoEvents.Writable;
                case FileKind.PipeReader: return f.Pipe.EventsLocked(reader: true);
                case FileKind.PipeWriter: return f.Pipe.EventsLocked(reader: false);
                case FileKind.EventFd: return f.Counter.EventsLocked();
                case FileKind.Socket: return Sockets.EventsLocked(f);
                default: return IoEvents.Readable | IoEvents.Writable;
            }
        }
    }
}
