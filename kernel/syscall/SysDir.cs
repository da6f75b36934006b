using Sticky.Fs;
using Sticky.Io;
using Sticky.Proc;

namespace Sticky.Sys
{
    // Directories and names: getdents64, getcwd, chdir, fchdir, mkdir,
    // unlink, rmdir, rename, with the *at forms (the plain forms are the *at
    // ones from AT_FDCWD).
    public static unsafe class SysDir
    {
        private const byte DT_CHR = 2, DT_DIR = 4, DT_REG = 8, DT_LNK = 10, DT_FIFO = 1;

        // struct linux_dirent64 records: d_ino, d_off (the next record's cookie),
        // d_reclen, d_type, the name with its NUL, padded to 8. Cookies: 0 ".",
        // 1 "..", 2 + n the entry in slot n (slots stay put, Directory.cs);
        // from ProcTree.DynamicCookie on, what /proc lists of processes and descriptors.
        public static long Getdents64(int fd, ulong buffer, ulong count)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result = !f.IsDirectory || f.IsPath ? (f.IsPath ? -Errno.EBADF : -Errno.ENOTDIR)
                        : !UserMemory.IsUserRange(buffer, count) ? -Errno.EFAULT
                        : Fill(f, buffer, count);
            f.Release();
            return result;
        }

        private static long Fill(File f, ulong buffer, ulong count)
        {
            const int Bounce = 4096;
            byte* out_ = stackalloc byte[Bounce];
            int room = count < Bounce ? (int)count : Bounce;
            int used = 0;
            ulong flags = Vfs.Lock();
            var dir = (Directory)f.Inode;
            ulong cookie = f.Offset;
            byte* name = stackalloc byte[ProcTree.NameBytes];
            bool more;
            while ((more = Entry(dir, ref cookie, name, out byte* entryName, out int nameLength, out ulong ino, out byte type, out ulong next)))
            {
                int reclen = (19 + nameLength + 1 + 7) & ~7;
                if (used + reclen > room) break;
                byte* rec = out_ + used;
                *(ulong*)rec = ino;
                *(long*)(rec + 8) = (long)next;
                *(ushort*)(rec + 16) = (ushort)reclen;
                rec[18] = type;
                for (int i = 0; i < nameLength; i++) rec[19 + i] = entryName[i];
                for (int i = 19 + nameLength; i < reclen; i++) rec[i] = 0;
                used += reclen;
                cookie = next;
            }
            bool nothing = used == 0 && more;
            f.Offset = cookie;
            Vfs.Unlock(flags);
            if (nothing) return -Errno.EINVAL;   // not even one record fits
            return UserMemory.CopyOut(buffer, out_, (ulong)used) ? used : -Errno.EFAULT;
        }

        // The entry at `cookie` or the first after it (lock held): its name (in
        // the directory, or made into `scratch`), inode number, d_type and the
        // next cookie; false at the end. `cookie` moves to the entry's own.
        private static bool Entry(Directory dir, ref ulong cookie, byte* scratch, out byte* name, out int nameLength,
                                  out ulong ino, out byte type, out ulong next)
        {
            name = scratch; nameLength = 0; ino = 0; type = DT_DIR; next = cookie;
            if (cookie < 2)
            {
                scratch[0] = scratch[1] = (byte)'.';
                nameLength = (int)cookie + 1;
                ino = cookie == 0 ? dir.Ino : (dir.Parent ?? dir).Ino;
                next = cookie + 1;
                return true;
            }
            if (cookie < ProcTree.DynamicCookie)
            {
                Inode entry = dir.EntryFrom((int)(cookie - 2), out int slot);
                if (entry != null)
                {
                    byte[] entryName = dir.NameAt(slot);
                    fixed (byte* n = entryName) { name = n; nameLength = entryName.Length; }   // directory arrays never move
                    ino = entry.Ino;
                    type = TypeOf(entry);
                    cookie = (ulong)slot + 2;
                    next = cookie + 1;
                    return true;
                }
                if (!ProcTree.Lists(dir)) return false;
                cookie = ProcTree.DynamicCookie;
            }
            if (!ProcTree.Next(dir, cookie, scratch, out nameLength, out ino, out InodeKind kind, out next)) return false;
            type = TypeOf(kind);
            return true;
        }

        private static byte TypeOf(Inode i) => TypeOf(i.Kind);

        private static byte TypeOf(InodeKind kind) => kind switch
        {
            InodeKind.Directory => DT_DIR,
            InodeKind.Symlink => DT_LNK,
            InodeKind.Device => DT_CHR,
            _ => DT_REG,
        };

        // The raw syscall returns the length with the NUL (glibc and musl return the buffer).
        public static long Getcwd(ulong buffer, ulong size)
        {
            byte* path = stackalloc byte[PathWalk.PathMax];
            ulong flags = Vfs.Lock();
            Directory cwd = Processes.Current.Cwd;
            int n = cwd.Linked ? PathWalk.PathOf(cwd, path, PathWalk.PathMax) : -Errno.ENOENT;
            Vfs.Unlock(flags);
            if (n < 0) return n;
            if ((ulong)n + 1 > size) return -Errno.ERANGE;
            return UserMemory.CopyOut(buffer, path, (ulong)n + 1) ? n + 1 : -Errno.EFAULT;
        }

        public static long Chdir(ulong userPath)
        {
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(userPath, path);
            if (length < 0) return length;
            var at = new PathAt();
            int err = at.Begin(Vfs.AT_FDCWD, path, length, true);
            if (err == 0 && at.Result.Target == null) err = -Errno.ENOENT;
            else if (err == 0 && !at.Result.Target.IsDirectory) err = -Errno.ENOTDIR;
            Directory old = null;
            if (err == 0) old = SwapCwd((Directory)at.Result.Target);
            at.End();
            if (old != null) Vfs.Put(old);
            return err;
        }

        public static long Fchdir(int fd)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result = 0;
            Directory old = null;
            if (!f.IsDirectory) result = -Errno.ENOTDIR;
            else
            {
                ulong flags = Vfs.Lock();
                old = SwapCwd((Directory)f.Inode);
                Vfs.Unlock(flags);
            }
            f.Release();
            if (old != null) Vfs.Put(old);
            return result;
        }

        // Lock held: the new working directory gets a use; the old one is returned to be Put after unlocking.
        private static Directory SwapCwd(Directory to)
        {
            Process p = Processes.Current;
            Directory old = p.Cwd;
            Namespace.Use(to);
            p.Cwd = to;
            return old;
        }

        public static long Mkdirat(int dirfd, ulong userPath, uint mode)
        {
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(userPath, path);
            if (length < 0) return length;
            var at = new PathAt();
            int err = at.Begin(dirfd, path, length, followLast: false);
            if (err == 0)
            {
                WalkResult r = at.Result;
                if (r.Target != null) err = -Errno.EEXIST;
                else
                {
                    err = Namespace.MakeDirectory(r.Parent, r.Name, r.NameLength, mode & ~Processes.Current.Umask & 0x3FF, out Directory made);
                    if (err == 0) SysFileMeta.Owned(made);
                }
            }
            at.End();
            return err;
        }

        public static long Unlinkat(int dirfd, ulong userPath, int flags)
        {
            if ((flags & ~SysFile.AT_REMOVEDIR) != 0) return -Errno.EINVAL;
            bool rmdir = (flags & SysFile.AT_REMOVEDIR) != 0;
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(userPath, path);
            if (length < 0) return length;
            var at = new PathAt();
            int err = at.Begin(dirfd, path, length, followLast: false);
            if (err == 0)
            {
                WalkResult r = at.Result;
                if (r.Target == null) err = -Errno.ENOENT;
                else if (rmdir && r.NameIsDots) err = r.NameLength == 1 ? -Errno.EINVAL : -Errno.ENOTEMPTY;
                else if (r.Parent == null) err = rmdir ? -Errno.EBUSY : -Errno.EISDIR;   // "/" (or dots, unlink)
                else if (rmdir) err = Namespace.RemoveDirectory(r.Parent, r.Target);
                else if (r.TrailingSlash && !r.Target.IsDirectory) err = -Errno.ENOTDIR;
                else err = Namespace.Unlink(r.Parent, r.Target, r.Name, r.NameLength);
            }
            at.End();
            return err;
        }

        // rename, renameat, renameat2 (flags: RENAME_NOREPLACE; RENAME_EXCHANGE is EINVAL).
        public static long Renameat2(int olddirfd, ulong oldUser, int newdirfd, ulong newUser, uint flags)
        {
            if ((flags & ~(Namespace.RenameNoReplace | Namespace.RenameExchange | 4 /* WHITEOUT */)) != 0) return -Errno.EINVAL;
            if ((flags & (Namespace.RenameNoReplace | Namespace.RenameExchange)) == (Namespace.RenameNoReplace | Namespace.RenameExchange))
                return -Errno.EINVAL;
            byte* oldPath = stackalloc byte[PathWalk.PathMax];
            int oldLength = Vfs.ReadPath(oldUser, oldPath);
            if (oldLength < 0) return oldLength;
            byte* newPath = stackalloc byte[PathWalk.PathMax];
            int newLength = Vfs.ReadPath(newUser, newPath);
            if (newLength < 0) return newLength;
            if ((flags & ~Namespace.RenameNoReplace) != 0) return -Errno.EINVAL;   // exchange, whiteout: not supported

            // Both walks under one hold of the lock: the tree cannot change between them.
            var from = new PathAt();
            int err = from.Begin(olddirfd, oldPath, oldLength, followLast: false);
            if (err == 0 && from.Result.Target == null) err = -Errno.ENOENT;
            WalkResult to = default;
            File toDir = null;
            if (err == 0) err = WalkLocked(newdirfd, newPath, newLength, out to, out toDir);
            if (err == 0)
            {
                WalkResult f = from.Result;
                if (f.Parent == null || to.Parent == null) err = -Errno.EBUSY;   // ".", ".." or "/" at either end
                else if ((f.TrailingSlash || to.TrailingSlash) && !f.Target.IsDirectory) err = -Errno.ENOTDIR;
                else err = Namespace.Rename(f.Parent, f.Target, f.Name, f.NameLength, to.Parent, to.Name, to.NameLength, to.Target, flags);
            }
            from.End();
            toDir?.Release();
            return err;
        }

        // The second walk of a rename, the lock already held by the first.
        private static int WalkLocked(int dirfd, byte* path, int length, out WalkResult r, out File dirFile)
        {
            r = default;
            dirFile = null;
            Directory start = Processes.Current.Cwd;
            if (length > 0 && path[0] != (byte)'/' && dirfd != Vfs.AT_FDCWD)
            {
                dirFile = Processes.Current.Files.Acquire(dirfd);
                if (dirFile == null) return -Errno.EBADF;
                if (!dirFile.IsDirectory) return -Errno.ENOTDIR;
                start = (Directory)dirFile.Inode;
            }
            return PathWalk.Walk(Vfs.Root, start, path, length, false, out r);
        }
    }
}
