using Sticky.Fs;
using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // Opening files of the tree, and what a path or a descriptor says about
    // its file: open/openat/creat, the stat family, readlink, access,
    // truncate. Paths are copied into a kernel buffer first; the walk and
    // every decision happen under the file-system lock (PathAt).
    public static unsafe class SysFile
    {
        public const int O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_TRUNC = 0x200, O_DIRECTORY = 0x10000,
            O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_TMPFILE = 0x400000 | O_DIRECTORY;
        // What F_GETFL reports back: the access mode and the status flags.
        private const int KeptFlags = File.O_ACCMODE | File.O_APPEND | File.O_NONBLOCK | File.O_PATH | 0x4000 /* O_DIRECT */
            | 0x8000 /* O_LARGEFILE */ | 0x40000 /* O_NOATIME */ | 0x101000 /* O_SYNC */ | 0x1000 /* O_DSYNC */;
        public const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400,
            AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000, AT_EACCESS = 0x200;

        public static long Open(int dirfd, ulong userPath, int flags, uint mode)
        {
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(userPath, path);
            if (length < 0) return length;
            if ((flags & O_TMPFILE) == O_TMPFILE) return -Errno.EOPNOTSUPP;
            Process p = Processes.Current;
            if (!p.Files.HasFree(Limits.OpenFiles(p))) return -Errno.EMFILE;

            bool follow = (flags & O_NOFOLLOW) == 0 && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
            var at = new PathAt();
            int err = at.Begin(dirfd, path, length, follow);
            File file = null;
            if (err == 0) err = OpenLocked(ref at.Result, flags, mode & ~p.Umask & 0xFFF, out file);
            at.End();
            if (err != 0) return err;
            if (!ControllingTerminalOpens(file))
            {
                file.Release();
                return -Errno.ENXIO;
            }
            int fd = p.Files.Install(file, (flags & O_CLOEXEC) != 0, 0, Limits.OpenFiles(p));
            if (fd < 0) file.Release();
            return fd;
        }

        // /dev/tty is the caller's controlling terminal: without one (a new
        // session that took none, as a daemon's) it cannot be opened, ENXIO
        // as on Linux. Checked after the walk: the terminal's session is kept
        // under the scheduler lock, not the file-system lock.
        private static bool ControllingTerminalOpens(File file) =>
            file.Kind != FileKind.Console || !(file.Inode is DeviceNode d) || d.Device != DeviceKind.Tty
            || Sticky.Tty.Terminal.IsControllingTerminalOfCaller();

        private static int OpenLocked(ref WalkResult r, int flags, uint permissions, out File file)
        {
            file = null;
            int access = flags & File.O_ACCMODE;
            bool path = (flags & File.O_PATH) != 0;
            bool writes = !path && (access != File.O_RDONLY || (flags & O_TRUNC) != 0);
            Inode target = r.Target;
            if (target == null)
            {
                if ((flags & O_CREAT) == 0 || path) return -Errno.ENOENT;
                if (r.TrailingSlash) return -Errno.EISDIR;
                int err = Namespace.CreateFile(r.Parent, r.Name, r.NameLength, permissions, out RamFile created);
                if (err != 0) return err;
                SysFileMeta.Owned(created);
                target = created;
            }
            else
            {
                if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) return -Errno.EEXIST;
                if (target.Kind == InodeKind.Symlink && !path) return -Errno.ELOOP;
                if ((flags & O_DIRECTORY) != 0 && !target.IsDirectory) return -Errno.ENOTDIR;
                if (target.IsDirectory && (writes || (flags & O_CREAT) != 0)) return -Errno.EISDIR;
                // Devices and /proc's files open for writing (a write to the latter is EINVAL, as Linux's without a write method).
                if (writes && target.Fs.ReadOnly && target.Kind != InodeKind.Device && !target.Fs.Synthetic) return -Errno.EROFS;
                if ((flags & O_TRUNC) != 0 && !path && target is RamFile ram && ram.Length != 0)
                {
                    int err = FileData.Truncate(default(DirectMap), ram, 0);
                    if (err != 0) return err;
                }
            }
            bool console = !path && target is DeviceNode d && (d.Device == DeviceKind.Console || d.Device == DeviceKind.Tty);
            Namespace.Use(target);
            file = new File { Kind = console ? FileKind.Console : FileKind.Inode, Inode = target, Flags = flags & KeptFlags };
            return 0;
        }

        // ---- stat -----------------------------------------------------------

        // struct stat (x86-64), 144 bytes.
        private struct Stat
        {
            public ulong Dev, Ino, Nlink;
            public uint Mode, Uid, Gid, Pad0;
            public ulong Rdev;
            public long Size, BlockSize, Blocks;
            public long Atime, AtimeNs, Mtime, MtimeNs, Ctime, CtimeNs;
            public long Reserved0, Reserved1, Reserved2;
        }

        // What stat says of a file that has no inode: a pipe end, a socket, an eventfd.
        private static void FillSpecial(File f, Stat* st)
        {
            *st = default;
            st->Nlink = 1;
            st->BlockSize = 4096;
            if (f.Kind == FileKind.Socket) { st->Mode = 0xC000 | 0x1FF; st->Dev = 6; st->Ino = f.PseudoInode; }   // srwxrwxrwx
            else if (f.Kind == FileKind.EventFd) { st->Mode = 0x180; st->Dev = 7; st->Ino = 1; }   // an anonymous inode: rw-------, no type
            else { st->Mode = 0x1000 | 0x180; st->Dev = 5; st->Ino = f.PseudoInode; }   // prw-------
        }

        // Lock held.
        private static void Fill(Inode i, Stat* st)
        {
            *st = default;
            st->Dev = i.Fs.Device;
            st->Ino = i.Ino;
            st->Nlink = i is Directory d ? 2 + (ulong)Subdirectories(d) : (ulong)i.Links;
            st->Uid = i.Uid;
            st->Gid = i.Gid;
            st->Mode = i.Mode;
            st->Rdev = i is DeviceNode dev ? dev.DeviceNumber : 0UL;
            st->Size = (long)i.Size;
            st->BlockSize = 4096;
            st->Blocks = (long)Blocks(i);
            st->Atime = Seconds(i.AccessedNs);
            st->AtimeNs = i.AccessedNs - st->Atime * 1_000_000_000;
            st->Mtime = Seconds(i.ModifiedNs);
            st->MtimeNs = i.ModifiedNs - st->Mtime * 1_000_000_000;
            st->Ctime = Seconds(i.ChangedNs);
            st->CtimeNs = i.ChangedNs - st->Ctime * 1_000_000_000;
        }

        // Whole seconds, rounded down also before 1970 (a time set by utimensat may be negative).
        private static long Seconds(long ns) => ns >= 0 ? ns / 1_000_000_000 : -((-ns + 999_999_999) / 1_000_000_000);

        private static int Subdirectories(Directory d)
        {
            int n = 0;
            for (Inode e = d.EntryFrom(0, out int slot); e != null; e = d.EntryFrom(slot + 1, out slot)) if (e.IsDirectory) n++;
            return n;
        }

        // 512-byte blocks the file occupies: RAM files count their committed pages.
        private static ulong Blocks(Inode i)
        {
            if (i is RamFile ram)
            {
                ulong pages = 0;
                for (ulong page = 0; ram.Data != null && page < ram.Data.PageCount; page++) if (!ram.Data.FrameOf(page).IsNone) pages++;
                return pages * 8;
            }
            if (i is ImageFile image) return (image.Length + 511) / 512;
            return i.IsDirectory ? 8UL : 0UL;
        }

        // The stat of descriptor `fd` into *st: 0 or -EBADF.
        private static int StatFd(int fd, Stat* st)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            // The terminal init hands down has no inode of its own: it is /dev/console
            // (so ttyname finds it through /proc/self/fd, as on Linux).
            Inode inode = f.Inode ?? (f.Kind == FileKind.Console || f.Kind == FileKind.KernelConsole ? Vfs.ConsoleNode : null);
            if (inode != null)
            {
                ulong flags = Vfs.Lock();
                Fill(inode, st);
                Vfs.Unlock(flags);
            }
            else FillSpecial(f, st);
            f.Release();
            return 0;
        }

        // (dirfd, path, AT_* flags) -> *st: the stat family's one lookup.
        private static int StatAt(int dirfd, ulong userPath, int atFlags, Stat* st)
        {
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(userPath, path, emptyOk: (atFlags & AT_EMPTY_PATH) != 0);
            if (length < 0) return length;
            if (length == 0) return dirfd == Vfs.AT_FDCWD ? StatCwd(st) : StatFd(dirfd, st);   // AT_EMPTY_PATH
            var at = new PathAt();
            int err = at.Begin(dirfd, path, length, (atFlags & AT_SYMLINK_NOFOLLOW) == 0);
            if (err == 0 && at.Result.Target == null) err = -Errno.ENOENT;
            if (err == 0) Fill(at.Result.Target, st);
            at.End();
            return err;
        }

        private static int StatCwd(Stat* st)
        {
            ulong flags = Vfs.Lock();
            Fill(Processes.Current.Cwd, st);
            Vfs.Unlock(flags);
            return 0;
        }

        public static long Fstat(int fd, ulong buffer)
        {
            Stat st;
            int err = StatFd(fd, &st);
            if (err != 0) return err;
            return UserMemory.CopyOut(buffer, &st, (ulong)sizeof(Stat)) ? 0 : -Errno.EFAULT;
        }

        public static long NewFstatat(int dirfd, ulong path, ulong buffer, int atFlags)
        {
            if ((atFlags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
            Stat st;
            int err = StatAt(dirfd, path, atFlags, &st);
            if (err != 0) return err;
            return UserMemory.CopyOut(buffer, &st, (ulong)sizeof(Stat)) ? 0 : -Errno.EFAULT;
        }

        // struct statx, 256 bytes: the same facts in another layout.
        public static long Statx(int dirfd, ulong path, int atFlags, uint mask, ulong buffer)
        {
            const int AT_STATX_SYNC_TYPE = 0x6000;
            const uint STATX__RESERVED = 0x80000000, STATX_BASIC_STATS = 0x7FF;
            if ((atFlags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) != 0) return -Errno.EINVAL;
            if ((atFlags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED) != 0) return -Errno.EINVAL;
            Stat st;
            int err = StatAt(dirfd, path, atFlags, &st);
            if (err != 0) return err;
            byte* x = stackalloc byte[256];
            for (int i = 0; i < 256; i++) x[i] = 0;
            *(uint*)(x + 0) = STATX_BASIC_STATS;
            *(uint*)(x + 4) = (uint)st.BlockSize;
            *(uint*)(x + 16) = (uint)st.Nlink;
            *(uint*)(x + 20) = st.Uid;
            *(uint*)(x + 24) = st.Gid;
            *(ushort*)(x + 28) = (ushort)st.Mode;
            *(ulong*)(x + 32) = st.Ino;
            *(ulong*)(x + 40) = (ulong)st.Size;
            *(ulong*)(x + 48) = (ulong)st.Blocks;
            Timestamp(x + 64, st.Atime, st.AtimeNs);
            Timestamp(x + 96, st.Ctime, st.CtimeNs);
            Timestamp(x + 112, st.Mtime, st.MtimeNs);
            *(uint*)(x + 128) = (uint)(st.Rdev >> 8);
            *(uint*)(x + 132) = (uint)(st.Rdev & 0xFF);
            *(uint*)(x + 136) = 0;
            *(uint*)(x + 140) = (uint)st.Dev;
            return UserMemory.CopyOut(buffer, x, 256) ? 0 : -Errno.EFAULT;
        }

        private static void Timestamp(byte* at, long seconds, long nanoseconds)
        {
            *(long*)at = seconds;
            *(uint*)(at + 8) = (uint)nanoseconds;
        }

        // ---- readlink, access, truncate -------------------------------------

        public static long Readlinkat(int dirfd, ulong userPath, ulong buffer, long size)
        {
            if (size <= 0) return -Errno.EINVAL;
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(userPath, path);
            if (length < 0) return length;
            byte* target = stackalloc byte[PathWalk.PathMax];
            var at = new PathAt();
            int err = at.Begin(dirfd, path, length, followLast: false);
            int n = 0;
            if (err == 0 && at.Result.Target == null) err = -Errno.ENOENT;
            else if (err == 0 && !(at.Result.Target is Symlink)) err = -Errno.EINVAL;
            else if (err == 0)
            {
                var link = (Symlink)at.Result.Target;
                n = link.TargetLength < size ? link.TargetLength : (int)size;
                for (int i = 0; i < n; i++) target[i] = link.Target[i];
            }
            at.End();
            if (err != 0) return err;
            return UserMemory.CopyOut(buffer, target, (ulong)n) ? n : -Errno.EFAULT;   // no NUL, as Linux
        }

        // Everyone is root: only existence, a read-only file system (W_OK) and
        // a missing execute bit (X_OK on a file) can refuse.
        public static long Faccessat(int dirfd, ulong userPath, int mode, int atFlags)
        {
            const int F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;
            if ((mode & ~(R_OK | W_OK | X_OK)) != 0) return -Errno.EINVAL;
            if ((atFlags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(userPath, path);
            if (length < 0) return length;
            var at = new PathAt();
            int err = at.Begin(dirfd, path, length, (atFlags & AT_SYMLINK_NOFOLLOW) == 0);
            Inode t = at.Result.Target;
            if (err == 0 && t == null) err = -Errno.ENOENT;
            else if (err == 0 && mode != F_OK)
            {
                if ((mode & W_OK) != 0 && t.Fs.ReadOnly && t.Kind != InodeKind.Device) err = -Errno.EROFS;
                else if ((mode & X_OK) != 0 && !t.IsDirectory && !t.IsExecutable) err = -Errno.EACCES;
            }
            at.End();
            return err;
        }

        public static long Ftruncate(int fd, long length)
        {
            if (length < 0) return -Errno.EINVAL;
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result;
            if (f.Kind != FileKind.Inode || !(f.Inode is RamFile || f.Inode is ImageFile) || !f.CanWrite) result = f.IsPath ? -Errno.EBADF : -Errno.EINVAL;
            else
            {
                ulong flags = Vfs.Lock();
                result = TruncateLocked(f.Inode, length);
                Vfs.Unlock(flags);
            }
            f.Release();
            return result;
        }

        public static long Truncate(ulong userPath, long length)
        {
            if (length < 0) return -Errno.EINVAL;
            byte* path = stackalloc byte[PathWalk.PathMax];
            int n = Vfs.ReadPath(userPath, path);
            if (n < 0) return n;
            var at = new PathAt();
            int err = at.Begin(Vfs.AT_FDCWD, path, n, true);
            Inode t = at.Result.Target;
            if (err == 0 && t == null) err = -Errno.ENOENT;
            else if (err == 0 && t.IsDirectory) err = -Errno.EISDIR;
            else if (err == 0 && !(t is RamFile || t is ImageFile)) err = -Errno.EINVAL;
            else if (err == 0) err = (int)TruncateLocked(t, length);
            at.End();
            return err;
        }

        // Lock held. An initramfs file cannot change: EROFS.
        private static long TruncateLocked(Inode inode, long length)
        {
            if (!(inode is RamFile ram)) return -Errno.EROFS;
            return FileData.Truncate(default(DirectMap), ram, (ulong)length);
        }
    }
}
