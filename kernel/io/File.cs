using Sticky.Arch;
using Sticky.Fs;
using Sticky.Mm;

namespace Sticky.Io
{
    // Console: the terminal (tty/KernelTerminal.cs, also /dev/tty and
    // /dev/console); KernelConsole: where the kernel's own messages go
    // (write-only; init reports there).
    public enum FileKind { Console, PipeReader, PipeWriter, Inode, KernelConsole, Socket, EventFd, Epoll }

    // An open file description, shared by every fd (and every forked process)
    // that refers to it, and by every syscall using it right now: a read
    // blocked on a pipe holds a reference, so a close() from another thread
    // cannot free the file under it. The terminal, the kernel's console, a
    // pipe end, an inode of the file tree (a file, a directory, a device),
    // one end of a socket pair (reads from Pipe, writes to OutPipe), or an eventfd.
    public sealed unsafe class File
    {
        public const int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_APPEND = 0x400,
            O_NONBLOCK = 0x800, O_PATH = 0x200000;

        public FileKind Kind;
        public Pipe Pipe;
        public Pipe OutPipe;         // FileKind.Socket: where writes go (the peer's Pipe)
        public bool ReadShut, WriteShut;   // shutdown(2) of a socket's directions; scheduler lock
        public int SocketType;       // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET
        public Sticky.Net.InetSocket Inet;   // an AF_INET socket (kernel/net); a connected TCP one also has the pipes
        public EventCounter Counter; // FileKind.EventFd
        public TextBuffer Text;      // a /proc file's text as last made (a read at offset 0 makes it again); file-system lock
        public EpollSet Epoll;       // FileKind.Epoll: its interest list
        public Inode Inode;          // FileKind.Inode; also the device node a console file was opened as
        public ulong Offset;         // the file position (a directory's: the next entry's cookie); file-system lock
        public int Flags = O_RDWR;   // the access mode and status flags, as fcntl(F_GETFL) reports them
        private int _refCount = 1;

        private static int _live;
        public static int Live => _live;   // open file descriptions: the leak check counts them

        public File()
        {
            fixed (int* live = &_live) Atomic.Add(live, 1);
        }

        private int AccessMode => Flags & O_ACCMODE;
        public bool IsPath => (Flags & O_PATH) != 0;
        public bool CanRead => !IsPath && Kind != FileKind.PipeWriter && AccessMode != O_WRONLY;
        public bool CanWrite => !IsPath && Kind != FileKind.PipeReader && AccessMode != O_RDONLY;
        public bool IsDirectory => Kind == FileKind.Inode && Inode.IsDirectory;
        public bool IsNonblocking => (Flags & O_NONBLOCK) != 0;

        // st_ino of a file that has no inode (both ends of a pipe share one),
        // which /proc/<pid>/fd shows too ("pipe:[N]").
        public ulong PseudoInode =>
            (ulong)Sticky.Runtime.ObjectRef.AddressOf(Kind == FileKind.PipeReader || Kind == FileKind.PipeWriter ? Pipe : (object)this) >> 4;

        public void AddRef()
        {
            fixed (int* r = &_refCount) Atomic.Add(r, 1);
        }

        // Drops one reference; the last closes the pipe end or lets go of the
        // inode, and frees the file.
        public void Release()
        {
            int left;
            fixed (int* r = &_refCount) left = Atomic.Add(r, -1);   // the new count
            if (left > 0) return;
            if (Kind == FileKind.PipeReader) { Pipe.CloseEnd(reader: true); Pipe.Drop(); }
            if (Kind == FileKind.PipeWriter) { Pipe.CloseEnd(reader: false); Pipe.Drop(); }
            if (Kind == FileKind.Socket) Sockets.Close(this);
            if (Kind == FileKind.EventFd) Counter.Release();
            if (Inode != null) { FileLocks.DropOwner(this, null); Vfs.Put(Inode); }
            Text?.Release();
            if (Epoll != null) { Epoll.Release(); KernelHeap.Free(Epoll); }
            fixed (int* live = &_live) Atomic.Add(live, -1);
            KernelHeap.Free(this);
        }
    }
}
