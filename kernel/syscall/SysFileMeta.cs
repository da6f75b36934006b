using Sticky.Fs;
using Sticky.Io;
using Sticky.Proc;

namespace Sticky.Sys
{
    // Names and metadata: link, symlink, chmod, chown, and the times
    // (utimensat and its older forms). The initramfs and /dev are read-only
    // (EROFS). Owners are recorded and reported by stat; nothing checks
    // them, but only root may give a file away (EPERM), as on Linux.
    public static unsafe class SysFileMeta
    {
        private const int AT_SYMLINK_NOFOLLOW = SysFile.AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW = SysFile.AT_SYMLINK_FOLLOW,
            AT_EMPTY_PATH = SysFile.AT_EMPTY_PATH;
        private const long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

        // linkat(olddirfd, old, newdirfd, new, flags): AT_SYMLINK_FOLLOW (a
        // final symlink of `old` is followed; by default it is linked itself), AT_EMPTY_PATH.
        public static long Linkat(int oldDirfd, ulong oldUser, int newDirfd, ulong newUser, int flags)
        {
            if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
            byte* oldPath = stackalloc byte[PathWalk.PathMax];
            int oldLength = Vfs.ReadPath(oldUser, oldPath, emptyOk: (flags & AT_EMPTY_PATH) != 0);
            if (oldLength < 0) return oldLength;
            byte* newPath = stackalloc byte[PathWalk.PathMax];
            int newLength = Vfs.ReadPath(newUser, newPath);
            if (newLength < 0) return newLength;
            Inode source = null;
            File emptyFile = null;
            if (oldLength == 0)
            {
                emptyFile = Processes.Current.Files.Acquire(oldDirfd);
                if (emptyFile == null) return -Errno.EBADF;
                source = emptyFile.Inode;
                if (source == null) { emptyFile.Release(); return -Errno.ENOENT; }
            }
            var from = new PathAt();
            int err = 0;
            if (source == null)
            {
                err = from.Begin(oldDirfd, oldPath, oldLength, (flags & AT_SYMLINK_FOLLOW) != 0);
                if (err == 0 && from.Result.Target == null) err = -Errno.ENOENT;
                if (err == 0 && from.Result.TrailingSlash && !from.Result.Target.IsDirectory) err = -Errno.ENOTDIR;
                source = from.Result.Target;
                from.End();
            }
            if (err != 0) { emptyFile?.Release(); return err; }
            // The walks are separate holds of the lock: the source may have lost its last
            // name in between, which Namespace.Link sees (ENOENT), and it is still alive: we hold a use.
            Vfs.Use(source);
            emptyFile?.Release();
            var to = new PathAt();
            err = to.Begin(newDirfd, newPath, newLength, followLast: false);
            if (err == 0)
            {
                WalkResult r = to.Result;
                if (r.Target != null) err = -Errno.EEXIST;
                else if (r.Parent == null || r.TrailingSlash) err = -Errno.ENOENT;
                else err = Namespace.Link(r.Parent, r.Name, r.NameLength, source);
            }
            to.End();
            Vfs.Put(source);
            return err;
        }

        // symlinkat(target, newdirfd, linkpath): the target is kept as given (it need not exist).
        public static long Symlinkat(ulong targetUser, int dirfd, ulong linkUser)
        {
            byte* target = stackalloc byte[PathWalk.PathMax];
            int targetLength = Vfs.ReadPath(targetUser, target);
            if (targetLength < 0) return targetLength;
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(linkUser, path);
            if (length < 0) return length;
            var at = new PathAt();
            int err = at.Begin(dirfd, path, length, followLast: false);
            if (err == 0)
            {
                WalkResult r = at.Result;
                if (r.Target != null) err = -Errno.EEXIST;
                else if (r.Parent == null || r.TrailingSlash) err = -Errno.ENOENT;
                else err = Namespace.CreateSymlink(r.Parent, r.Name, r.NameLength, target, targetLength);
                if (err == 0) Owned(r.Parent.Find(r.Name, r.NameLength));
            }
            at.End();
            return err;
        }

        // A new inode belongs to its maker's filesystem ids.
        public static void Owned(Inode inode)
        {
            if (inode == null) return;
            inode.Uid = (uint)Processes.Current.Creds.Fsuid;
            inode.Gid = (uint)Processes.Current.Creds.Fsgid;
        }


        private enum Change { Mode, Owner, Times }

        private struct Request
        {
            public Change What;
            public uint Mode;
            public int Uid, Gid;
            public long AccessNs, ModifyNs;   // or UTIME_NOW / UTIME_OMIT
        }

        // Lock held.
        private static int Apply(Inode inode, in Request q)
        {
            if (inode.Fs.ReadOnly) return -Errno.EROFS;
            long now = FileSystem.Now;
            switch (q.What)
            {
                case Change.Mode:
                    inode.Permissions = q.Mode & 0xFFF;
                    break;
                case Change.Owner:
                    Credentials c = Processes.Current.Creds;
                    bool giveAway = (q.Uid != -1 && (uint)q.Uid != inode.Uid) || (q.Gid != -1 && (uint)q.Gid != inode.Gid);
                    if (giveAway && !c.IsRoot) return -Errno.EPERM;
                    if (q.Uid != -1) inode.Uid = (uint)q.Uid;
                    if (q.Gid != -1) inode.Gid = (uint)q.Gid;
                    break;
                case Change.Times:
                    if (q.AccessNs == UTIME_OMIT && q.ModifyNs == UTIME_OMIT) return 0;
                    if (q.AccessNs != UTIME_OMIT) inode.AccessedNs = q.AccessNs == UTIME_NOW ? now : q.AccessNs;
                    if (q.ModifyNs != UTIME_OMIT) inode.ModifiedNs = q.ModifyNs == UTIME_NOW ? now : q.ModifyNs;
                    break;
            }
            inode.ChangedNs = now;
            return 0;
        }

        // (dirfd, path, follow) or, for an empty path with AT_EMPTY_PATH (or a null path: utimensat's fd form), dirfd itself.
        private static long OnPath(int dirfd, ulong userPath, bool follow, bool emptyMeansFd, in Request q)
        {
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = userPath == 0 && emptyMeansFd ? 0 : Vfs.ReadPath(userPath, path, emptyOk: emptyMeansFd);
            if (length < 0) return length;
            if (length == 0) return dirfd == Vfs.AT_FDCWD ? OnCwd(q) : OnFd(dirfd, q);
            var at = new PathAt();
            int err = at.Begin(dirfd, path, length, follow);
            if (err == 0 && at.Result.Target == null) err = -Errno.ENOENT;
            if (err == 0) err = Apply(at.Result.Target, q);
            at.End();
            return err;
        }

        private static long OnCwd(in Request q)
        {
            ulong flags = Vfs.Lock();
            int err = Apply(Processes.Current.Cwd, q);
            Vfs.Unlock(flags);
            return err;
        }

        // A descriptor: its inode; pipes and sockets have none to keep anything in (EBADF for O_PATH, as Linux for fchmod).
        private static long OnFd(int fd, in Request q)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long err;
            if (f.IsPath && q.What != Change.Times) err = -Errno.EBADF;
            else if (f.Inode == null) err = 0;
            else
            {
                ulong flags = Vfs.Lock();
                err = Apply(f.Inode, q);
                Vfs.Unlock(flags);
            }
            f.Release();
            return err;
        }

        public static long Fchmodat(int dirfd, ulong path, uint mode) =>
            OnPath(dirfd, path, true, false, new Request { What = Change.Mode, Mode = mode });

        public static long Fchmod(int fd, uint mode) => OnFd(fd, new Request { What = Change.Mode, Mode = mode });

        public static long Fchownat(int dirfd, ulong path, int uid, int gid, int flags)
        {
            if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
            return OnPath(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, (flags & AT_EMPTY_PATH) != 0,
                          new Request { What = Change.Owner, Uid = uid, Gid = gid });
        }

        public static long Fchown(int fd, int uid, int gid) => OnFd(fd, new Request { What = Change.Owner, Uid = uid, Gid = gid });

        // utimensat(dirfd, path or null, times[2] or null, flags).
        public static long Utimensat(int dirfd, ulong path, ulong times, int flags)
        {
            if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
            var q = new Request { What = Change.Times, AccessNs = UTIME_NOW, ModifyNs = UTIME_NOW };
            if (times != 0)
            {
                if (!UserMemory.Read(times, out SysTime.Timespec a) || !UserMemory.Read(times + 16, out SysTime.Timespec m)) return -Errno.EFAULT;
                long err = TimeOf(a, out q.AccessNs);
                if (err == 0) err = TimeOf(m, out q.ModifyNs);
                if (err != 0) return err;
            }
            if (path == 0 && dirfd != Vfs.AT_FDCWD && (flags & AT_SYMLINK_NOFOLLOW) != 0) return -Errno.EINVAL;
            return OnPath(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, path == 0 || (flags & AT_EMPTY_PATH) != 0, q);
        }

        private static long TimeOf(SysTime.Timespec t, out long ns)
        {
            ns = t.Nanoseconds;
            if (t.Nanoseconds == UTIME_NOW || t.Nanoseconds == UTIME_OMIT) return 0;
            if (t.Nanoseconds < 0 || t.Nanoseconds >= 1_000_000_000) return -Errno.EINVAL;
            ns = t.Seconds * 1_000_000_000 + t.Nanoseconds;
            return 0;
        }

        // futimesat / utimes: two struct timevals, or null for now.
        public static long Futimesat(int dirfd, ulong path, ulong times)
        {
            var q = new Request { What = Change.Times, AccessNs = UTIME_NOW, ModifyNs = UTIME_NOW };
            if (times != 0)
            {
                long* t = stackalloc long[4];
                if (!UserMemory.CopyIn(t, times, 32)) return -Errno.EFAULT;
                if (t[1] < 0 || t[1] >= 1_000_000 || t[3] < 0 || t[3] >= 1_000_000) return -Errno.EINVAL;
                q.AccessNs = t[0] * 1_000_000_000 + t[1] * 1000;
                q.ModifyNs = t[2] * 1_000_000_000 + t[3] * 1000;
            }
            return OnPath(dirfd, path, true, false, q);
        }

        // utime: struct utimbuf { actime, modtime } in seconds, or null for now.
        public static long Utime(ulong path, ulong times)
        {
            var q = new Request { What = Change.Times, AccessNs = UTIME_NOW, ModifyNs = UTIME_NOW };
            if (times != 0)
            {
                if (!UserMemory.Read(times, out long a) || !UserMemory.Read(times + 8, out long m)) return -Errno.EFAULT;
                q.AccessNs = a * 1_000_000_000;
                q.ModifyNs = m * 1_000_000_000;
            }
            return OnPath(Vfs.AT_FDCWD, path, true, false, q);
        }
    }
}
