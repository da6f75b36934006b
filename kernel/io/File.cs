using Sticky.Arch;
using Sticky.Fs;
using Sticky.Mm;

namespace Sticky.Io
{
    // Console: the terminal (tty/KernelTerminal.cs, also /dev/tty and
    // /dev/console); KernelConsole: where the kernel's own messages go
    // (write-only; init reports there).
    public enum FileKind { Console, PipeReader, PipeWriter, Inode, KernelConsole, Epoll }

    // An open file description, shared by every fd (and every forked process)
    // that refers to it, and by every syscall using it right now: a read
    // blocked on a pipe holds a reference, so a close() from another thread
    // cannot free the file under it. The terminal, the kernel's console, a
    // pipe end, or an inode of the file tree (a file, a directory, a device).
    public sealed unsafe class File
    {
        public const int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_APPEND = 0x400,
            O_NONBLOCK = 0x800, O_PATH = 0x200000;

        public FileKind Kind;
        public Pipe Pipe;
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
            if (Kind == FileKind.PipeReader) Pipe.CloseEnd(reader: true);
            if (Kind == FileKind.PipeWriter) Pipe.CloseEnd(reader: false);
            if (Inode != null) Vfs.Put(Inode);
            if (Epoll != null) { Epoll.Release(); KernelHeap.Free(Epoll); }
            fixed (int* live = &_live) Atomic.Add(live, -1);
            KernelHeap.Free(this);
        }
    }
}
