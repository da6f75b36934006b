using Sticky.Mm;
using Sticky.Sync;

namespace Sticky.Io
{
    // A process's file descriptors. Threads share their process's table
    // (CLONE_FILES), so slots change under a lock; fork gives the child a copy
    // that shares the open files. A syscall works on a file it Acquired (a
    // reference of its own), never on a bare slot another thread may close.
    // Each descriptor has its close-on-exec bit (one word: 64 descriptors).
    public sealed class FileTable
    {
        public const int Capacity = 64;
        private File[] _files = new File[Capacity];
        private ulong _closeOnExec;
        private SpinLock _lock;

        // init's: fds 0, 1 and 2 on the terminal, 3 on the kernel's console
        // (write-only; init marks it close-on-exec: its own, not its programs').
        public static FileTable ForInit()
        {
            var table = new FileTable();
            var terminal = new File { Kind = FileKind.Console };
            terminal.AddRef();
            terminal.AddRef();
            table._files[0] = table._files[1] = table._files[2] = terminal;
            table._files[3] = new File { Kind = FileKind.KernelConsole, Flags = File.O_WRONLY };
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
            copy._closeOnExec = _closeOnExec;
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

        // The lowest open descriptor >= `from`, or -1 (/proc/<pid>/fd).
        public int NextOpen(int from)
        {
            if (from < 0) from = 0;
            ulong flags = _lock.AcquireIrqSave();
            int fd = from;
            while (fd < Capacity && _files[fd] == null) fd++;
            _lock.ReleaseIrqRestore(flags);
            return fd < Capacity ? fd : -1;
        }

        // `describe` of the file at `fd`, under this table's lock, so the file
        // cannot go meanwhile and nothing takes a reference (whose release
        // might end it inside the caller's locks); -1 for a closed fd.
        public unsafe int Describe(int fd, delegate*<File, byte*, int> describe, byte* into)
        {
            if ((uint)fd >= Capacity) return -1;
            ulong flags = _lock.AcquireIrqSave();
            File f = _files[fd];
            int n = f != null ? describe(f, into) : -1;
            _lock.ReleaseIrqRestore(flags);
            return n;
        }

        public bool IsOpen(int fd)
        {
            File f = Acquire(fd);
            f?.Release();
            return f != null;
        }

        // Is any descriptor below `limit` free? (open checks before it creates a file.)
        public bool HasFree(int limit)
        {
            ulong flags = _lock.AcquireIrqSave();
            bool free = false;
            for (int fd = 0; fd < Capacity && fd < limit && !free; fd++) free = _files[fd] == null;
            _lock.ReleaseIrqRestore(flags);
            return free;
        }

        // The lowest free descriptor >= `from` and < `limit` for `file` (taking
        // over the caller's reference), or -EMFILE (the caller still owns `file`).
        public int Install(File file, bool closeOnExec = false, int from = 0, int limit = Capacity)
        {
            if (limit > Capacity) limit = Capacity;
            ulong flags = _lock.AcquireIrqSave();
            int result = -Errno.EMFILE;
            for (int fd = from < 0 ? 0 : from; fd < limit; fd++)
                if (_files[fd] == null) { _files[fd] = file; SetBit(fd, closeOnExec); result = fd; break; }
            _lock.ReleaseIrqRestore(flags);
            return result;
        }

        // dup2/dup3: `file` goes to `fd`, closing what was there (taking over the caller's reference).
        public int InstallAt(int fd, File file, bool closeOnExec)
        {
            if ((uint)fd >= Capacity) return -Errno.EBADF;
            ulong flags = _lock.AcquireIrqSave();
            File old = _files[fd];
            _files[fd] = file;
            SetBit(fd, closeOnExec);
            _lock.ReleaseIrqRestore(flags);
            if (old != null) Closed(old);
            return fd;
        }

        public bool CloseOnExec(int fd)
        {
            ulong flags = _lock.AcquireIrqSave();
            bool set = (uint)fd < Capacity && (_closeOnExec & (1UL << fd)) != 0;
            _lock.ReleaseIrqRestore(flags);
            return set;
        }

        public void SetCloseOnExec(int fd, bool on)
        {
            ulong flags = _lock.AcquireIrqSave();
            if ((uint)fd < Capacity && _files[fd] != null) SetBit(fd, on);
            _lock.ReleaseIrqRestore(flags);
        }

        public int Close(int fd)
        {
            if ((uint)fd >= Capacity) return -Errno.EBADF;
            ulong flags = _lock.AcquireIrqSave();
            File f = _files[fd];
            _files[fd] = null;
            SetBit(fd, false);
            _lock.ReleaseIrqRestore(flags);
            if (f == null) return -Errno.EBADF;
            Closed(f);
            return 0;
        }

        // A descriptor of `f` is gone: the process's record locks on the file go
        // with it (POSIX), then our reference (outside the lock: the last release closes a pipe end).
        private void Closed(File f)
        {
            if (f.Inode != null) FileLocks.DropOwner(this, f.Inode);
            f.Release();
        }

        // execve: every descriptor marked close-on-exec goes.
        public void CloseOnExec()
        {
            for (int fd = 0; fd < Capacity; fd++)
                if (CloseOnExec(fd)) Close(fd);
        }

        // Closes everything and frees the table (its process has no threads left).
        public void Destroy()
        {
            for (int fd = 0; fd < Capacity; fd++) Close(fd);
            KernelHeap.Free(_files);
            KernelHeap.Free(this);
        }

        private void SetBit(int fd, bool on)
        {
            if (on) _closeOnExec |= 1UL << fd; else _closeOnExec &= ~(1UL << fd);
        }
    }
}
