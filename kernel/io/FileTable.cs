using Sticky.Mm;
using Sticky.Sync;

namespace Sticky.Io
{
    // A process's file descriptors. Threads share their process's table
    // (CLONE_FILES), so slots change under a lock; fork gives the child a copy
    // that shares the open files. A syscall works on a file it Acquired (a
    // reference of its own), never on a bare slot another thread may close.
    public sealed class FileTable
    {
        public const int Capacity = 64;
        private File[] _files = new File[Capacity];
        private SpinLock _lock;

        // init's: fds 0, 1 and 2 on the terminal, 3 on the kernel's console.
        public static FileTable ForInit()
        {
            var table = new FileTable();
            var terminal = new File { Kind = FileKind.Console };
            terminal.AddRef();
            terminal.AddRef();
            table._files[0] = table._files[1] = table._files[2] = terminal;
            table._files[3] = new File { Kind = FileKind.KernelConsole };
            return table;
        }

        public FileTable Clone()
        {
            var copy = new FileTable();
            ulong flags = _lock.AcquireIrqSave();
            for (int fd = 0; fd < Capacity; fd++)
            {
                copy._files[fd] = _files[fd];
                _files[fd]?.AddRef();
            }
            _lock.ReleaseIrqRestore(flags);
            return copy;
        }

        // The file at `fd` with a reference for the caller (who must Release
        // it), or null for a closed or invalid fd.
        public File Acquire(int fd)
        {
            if ((uint)fd >= Capacity) return null;
            ulong flags = _lock.AcquireIrqSave();
            File f = _files[fd];
            f?.AddRef();
            _lock.ReleaseIrqRestore(flags);
            return f;
        }

        public bool IsOpen(int fd)
        {
            File f = Acquire(fd);
            f?.Release();
            return f != null;
        }

        // The lowest free descriptor for `file` (taking over the caller's reference), or -EMFILE.
        public int Install(File file)
        {
            ulong flags = _lock.AcquireIrqSave();
            int result = -Errno.EMFILE;
            for (int fd = 0; fd < Capacity; fd++)
                if (_files[fd] == null) { _files[fd] = file; result = fd; break; }
            _lock.ReleaseIrqRestore(flags);
            return result;
        }

        public int Close(int fd)
        {
            if ((uint)fd >= Capacity) return -Errno.EBADF;
            ulong flags = _lock.AcquireIrqSave();
            File f = _files[fd];
            _files[fd] = null;
            _lock.ReleaseIrqRestore(flags);
            if (f == null) return -Errno.EBADF;
            f.Release();   // outside the lock: the last release closes a pipe end
            return 0;
        }

        // Closes everything and frees the table (its process has no threads left).
        public void Destroy()
        {
            for (int fd = 0; fd < Capacity; fd++) Close(fd);
            KernelHeap.Free(_files);
            KernelHeap.Free(this);
        }
    }
}
