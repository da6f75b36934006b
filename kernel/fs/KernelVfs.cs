using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Sync;

namespace Sticky.Fs
{
    // The file tree of the running kernel: the initramfs as the root
    // (read-only), a RAM file system on /tmp and one on /dev/shm, the
    // device nodes in /dev, and /proc and /sys made from kernel state (ProcTree.cs). One IRQ-safe lock guards the whole tree and every
    // RAM file's bytes; it is never held across a user copy (syscalls move
    // data through bounce buffers) and is taken before the heap and frame locks.
    public static unsafe class Vfs
    {
        private static SpinLock _lock;
        private static FileSystem _image, _tmp, _shm, _dev, _proc, _sys;
        public static Directory Root;
        public static DeviceNode ConsoleNode;   // /dev/console: what stat says of the terminal init's descriptors hold

        public const int AT_FDCWD = -100;

        public static ulong Lock() => _lock.AcquireIrqSave();
        public static void Unlock(ulong flags) => _lock.ReleaseIrqRestore(flags);

        // Inodes alive in every file system (the leak check counts them).
        public static int InodeCount => _image.InodeCount + _tmp.InodeCount + _shm.InodeCount + _dev.InodeCount
                                        + _proc.InodeCount + _sys.InodeCount;

        public static void Init(byte* archive, ulong length)
        {
            FileSystem.Clock = &RealtimeNow;
            _image = new FileSystem(1, true, KernelMemory.Frames) { Source = "rootfs" };
            _dev = new FileSystem(2, true, KernelMemory.Frames) { Type = "devtmpfs", Source = "devtmpfs", Magic = FileSystem.TmpfsMagic };
            _tmp = new FileSystem(3, false, KernelMemory.Frames) { Type = "tmpfs", Source = "tmpfs", Magic = FileSystem.TmpfsMagic };
            _shm = new FileSystem(4, false, KernelMemory.Frames) { Type = "tmpfs", Source = "tmpfs", Magic = FileSystem.TmpfsMagic };
            _proc = new FileSystem(20, true, null) { Type = "proc", Source = "proc", Magic = FileSystem.ProcMagic, Synthetic = true };
            _sys = new FileSystem(21, true, null) { Type = "sysfs", Source = "sysfs", Magic = FileSystem.SysfsMagic, Synthetic = true };
            Root = InitramfsTree.Build(archive, length, _image);
            Directory dev = Mount(Root, "dev", _dev, 0x1ED);                 // 0755
            Namespace.Attach(dev, "null", new DeviceNode { Device = DeviceKind.Null }, _dev, 0x1B6);   // 0666
            Namespace.Attach(dev, "zero", new DeviceNode { Device = DeviceKind.Zero }, _dev, 0x1B6);
            Namespace.Attach(dev, "full", new DeviceNode { Device = DeviceKind.Full }, _dev, 0x1B6);
            Namespace.Attach(dev, "random", new DeviceNode { Device = DeviceKind.Random }, _dev, 0x1B6);
            Namespace.Attach(dev, "urandom", new DeviceNode { Device = DeviceKind.Random }, _dev, 0x1B6);
            Namespace.Attach(dev, "tty", new DeviceNode { Device = DeviceKind.Tty }, _dev, 0x1B6);
            ConsoleNode = Namespace.Attach(dev, "console", new DeviceNode { Device = DeviceKind.Console }, _dev, 0x180);   // 0600
            Mount(dev, "shm", _shm, 0x3FF);                                   // 01777
            Mount(Root, "tmp", _tmp, 0x3FF);
            Directory proc = Mount(Root, "proc", _proc, 0x16D);              // 0555
            Directory sys = Mount(Root, "sys", _sys, 0x16D);
            ProcTree.Build(proc, sys, _proc, _sys);
            KernelProcFs.Init();
        }

        // A fresh root directory of `fs` at `name` in `parent`, in place of
        // anything the archive had there.
        private static Directory Mount(Directory parent, string name, FileSystem fs, uint permissions)
        {
            byte* n = stackalloc byte[name.Length];
            for (int i = 0; i < name.Length; i++) n[i] = (byte)name[i];
            Inode old = parent.Find(n, name.Length);
            if (old != null) parent.Remove(old);   // initramfs inodes are never freed
            return Namespace.Attach(parent, name, new Directory(), fs, permissions);
        }

        private static long RealtimeNow()
        {
            Sticky.Sys.SysTime.Now(Sticky.Sys.SysTime.CLOCK_REALTIME, out ulong ns);
            return (long)ns;
        }

        public static void Use(Inode inode)
        {
            ulong flags = Lock();
            Namespace.Use(inode);
            Unlock(flags);
        }

        public static void Put(Inode inode)
        {
            ulong flags = Lock();
            Namespace.Put(inode);
            Unlock(flags);
        }

        // fork: the child starts in its parent's working directory.
        public static void InheritCwd(Process parent, Process child)
        {
            ulong flags = Lock();
            child.Cwd = parent.Cwd;
            Namespace.Use(child.Cwd);
            Unlock(flags);
        }

        // A user path into `into` (PathMax bytes): its length, -EFAULT,
        // -ENAMETOOLONG, or -ENOENT for an empty path unless `emptyOk`.
        public static int ReadPath(ulong user, byte* into, bool emptyOk = false)
        {
            int n = Sticky.Sys.UserMemory.ReadString(user, into, PathWalk.PathMax);
            if (n == 0 && !emptyOk) return -Errno.ENOENT;
            return n;
        }
    }

    // One lookup of (dirfd, path) as the *at calls make it: Begin walks with
    // the lock held, End lets go of the lock and of the directory file.
    public unsafe struct PathAt
    {
        public WalkResult Result;
        private ulong _flags;
        private File _dirFile;
        private bool _locked;

        // 0 or -errno; the lock is held afterwards either way until End.
        public int Begin(int dirfd, byte* path, int length, bool followLast)
        {
            _flags = Vfs.Lock();
            _locked = true;
            Directory start;
            int err = StartOf(dirfd, length > 0 && path[0] == (byte)'/', out start);
            if (err != 0) return err;
            return PathWalk.Walk(Vfs.Root, start, path, length, followLast, out Result);
        }

        // The directory an *at call starts from (lock held): the working
        // directory, or dirfd's, which must be a directory (ENOTDIR) and open
        // (EBADF). An absolute path needs neither.
        private int StartOf(int dirfd, bool absolute, out Directory start)
        {
            start = Processes.Current.Cwd;
            if (absolute || dirfd == Vfs.AT_FDCWD) return 0;
            _dirFile = Processes.Current.Files.Acquire(dirfd);
            if (_dirFile == null) return -Errno.EBADF;
            if (!_dirFile.IsDirectory) return -Errno.ENOTDIR;
            start = (Directory)_dirFile.Inode;
            return 0;
        }

        public void End()
        {
            if (_locked)
            {
                ProcTree.EndWalk();   // what the walk made in /proc and nobody took
                Vfs.Unlock(_flags);
            }
            _locked = false;
            _dirFile?.Release();
            _dirFile = null;
        }
    }
}
