using Sticky.Mm;

namespace Sticky.Io
{
    // A process's file descriptors. Threads share their process's table
    // (CLONE_FILES); fork gives the child a copy that shares the open files.
    public sealed class FileTable
    {
        public const int Capacity = 64;
        private File[] _files = new File[Capacity];

        // fds 0, 1 and 2 on the serial console.
        public static FileTable WithConsole()
        {
            var table = new FileTable();
            var console = new File { Kind = FileKind.Console, RefCount = 3 };
            table._files[0] = table._files[1] = table._files[2] = console;
            return table;
        }

        public FileTable Clone()
        {
            var copy = new FileTable();
            for (int fd = 0; fd < Capacity; fd++)
            {
                copy._files[fd] = _files[fd];
                _files[fd]?.AddRef();
            }
            return copy;
        }

        public File Get(int fd) => (uint)fd < Capacity ? _files[fd] : null;

        // The lowest free descriptor for `file` (taking over the caller's reference), or -EMFILE.
        public int Install(File file)
        {
            for (int fd = 0; fd < Capacity; fd++)
                if (_files[fd] == null) { _files[fd] = file; return fd; }
            return -Errno.EMFILE;
        }

        public int Close(int fd)
        {
            File f = Get(fd);
            if (f == null) return -Errno.EBADF;
            _files[fd] = null;
            f.Release();
            return 0;
        }

        // Closes everything and frees the table.
        public void Destroy()
        {
            for (int fd = 0; fd < Capacity; fd++) if (_files[fd] != null) Close(fd);
            KernelHeap.Free(_files);
            KernelHeap.Free(this);
        }
    }
}
