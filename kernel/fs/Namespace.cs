using Sticky.Mm;

namespace Sticky.Fs
{
    // Changes to the tree: create, make a directory, unlink, remove a
    // directory, rename; and the end of an inode's life. Linux's errors, in
    // Linux's order where a call can fail several ways. The caller holds the
    // file-system lock and has walked the path (PathWalk).
    public static unsafe class Namespace
    {
        public static int CreateFile(Directory parent, byte* name, int length, uint permissions, out RamFile file)
        {
            file = null;
            int err = CanAdd(parent, name, length);
            if (err != 0) return err;
            file = parent.Fs.Adopt(new RamFile(), permissions);
            Name(file, name, length);
            parent.Add(file);
            Touch(parent);
            return 0;
        }

        public static int MakeDirectory(Directory parent, byte* name, int length, uint permissions, out Directory directory)
        {
            directory = null;
            int err = CanAdd(parent, name, length);
            if (err != 0) return err;
            directory = parent.Fs.Adopt(new Directory(), permissions);
            Name(directory, name, length);
            parent.Add(directory);
            Touch(parent);
            return 0;
        }

        // A directory entry for something made at boot (device nodes, mount points).
        public static T Attach<T>(Directory parent, string name, T inode, FileSystem fs, uint permissions) where T : Inode
        {
            fs.Adopt(inode, permissions);
            inode.Name = new byte[name.Length];
            for (int i = 0; i < name.Length; i++) inode.Name[i] = (byte)name[i];
            parent.Add(inode);
            return inode;
        }

        // unlink(2) of `target`, the entry `name` of `parent`.
        public static int Unlink(Directory parent, Inode target, byte* name, int length)
        {
            if (target.IsDirectory) return -Errno.EISDIR;
            if (parent.Fs.Synthetic) return -Errno.EPERM;
            if (parent.Fs.ReadOnly) return -Errno.EROFS;
            parent.RemoveNamed(name, length);
            Touch(parent);
            target.ChangedNs = FileSystem.Now;
            FreeIfUnused(target);
            return 0;
        }

        // unlink of a file under the name it was made with.
        public static int Unlink(Directory parent, Inode target)
        {
            fixed (byte* n = target.Name) return Unlink(parent, target, n, target.Name.Length);
        }

        // link(2): `target` gets the name `name` in `parent` too. Directories
        // cannot be linked (EPERM), nor can a name cross file systems (EXDEV).
        public static int Link(Directory parent, byte* name, int length, Inode target)
        {
            if (length > PathWalk.NameMax) return -Errno.ENAMETOOLONG;
            if (target.IsDirectory) return -Errno.EPERM;
            if (target.Fs != parent.Fs) return -Errno.EXDEV;
            int err = CanAdd(parent, name, length);
            if (err != 0) return err;
            if (parent.Find(name, length) != null) return -Errno.EEXIST;
            if (!target.Linked) return -Errno.ENOENT;
            parent.AddNamed(target, name, length);
            target.ChangedNs = FileSystem.Now;
            Touch(parent);
            return 0;
        }

        // symlink(2): a new symlink `name` in `parent` holding `target`.
        public static int CreateSymlink(Directory parent, byte* name, int length, byte* target, int targetLength)
        {
            int err = CanAdd(parent, name, length);
            if (err != 0) return err;
            var link = parent.Fs.Adopt(new Symlink { Owned = new byte[targetLength], TargetLength = targetLength }, 0x1FF);
            for (int i = 0; i < targetLength; i++) link.Owned[i] = target[i];
            fixed (byte* t = link.Owned) link.Target = t;
            Name(link, name, length);
            parent.Add(link);
            Touch(parent);
            return 0;
        }

        // rmdir(2). A directory of another file system than its parent's is a
        // mount point (/tmp, /dev/shm): EBUSY, as Linux.
        public static int RemoveDirectory(Directory parent, Inode target)
        {
            if (!target.IsDirectory) return -Errno.ENOTDIR;
            if (target.Fs != parent.Fs) return -Errno.EBUSY;
            if (parent.Fs.Synthetic) return -Errno.EPERM;
            if (parent.Fs.ReadOnly) return -Errno.EROFS;
            if (!((Directory)target).IsEmpty) return -Errno.ENOTEMPTY;
            parent.Remove(target);
            Touch(parent);
            FreeIfUnused(target);
            return 0;
        }

        public const uint RenameNoReplace = 1, RenameExchange = 2;

        // rename(2): `source` (an entry of `from`) becomes `name` in `to`, where
        // `existing` (or null) is now; `sourceName` is source's entry in `from`.
        // `flags`: renameat2's NOREPLACE; EXCHANGE is EINVAL.
        public static int Rename(Directory from, Inode source, Directory to, byte* name, int length, Inode existing, uint flags)
        {
            fixed (byte* n = source.Name) return Rename(from, source, n, source.Name.Length, to, name, length, existing, flags);
        }

        public static int Rename(Directory from, Inode source, byte* sourceName, int sourceLength, Directory to, byte* name, int length,
            Inode existing, uint flags)
        {
            if ((flags & ~RenameNoReplace) != 0) return -Errno.EINVAL;
            if (length > PathWalk.NameMax) return -Errno.ENAMETOOLONG;
            if (from.Fs != to.Fs) return -Errno.EXDEV;
            // A directory of another file system than its parent's is a mount point.
            if (source.Fs != from.Fs || (existing != null && existing.Fs != to.Fs)) return -Errno.EBUSY;
            if (existing == source) return 0;   // the same file: nothing to do
            if ((flags & RenameNoReplace) != 0 && existing != null) return -Errno.EEXIST;
            if (source.IsDirectory && source.IsAncestorOf(to)) return -Errno.EINVAL;
            if (existing != null)
            {
                if (source.IsDirectory && !existing.IsDirectory) return -Errno.ENOTDIR;
                if (!source.IsDirectory && existing.IsDirectory) return -Errno.EISDIR;
                if (existing.IsDirectory && !((Directory)existing).IsEmpty) return -Errno.ENOTEMPTY;
            }
            if (from.Fs.ReadOnly || to.Fs.ReadOnly) return -Errno.EROFS;
            if (existing != null)
            {
                if (existing.IsDirectory) to.Remove(existing); else to.RemoveNamed(name, length);
                existing.ChangedNs = FileSystem.Now;
                FreeIfUnused(existing);
            }
            from.RemoveNamed(sourceName, sourceLength);
            byte[] old = source.Name;
            Name(source, name, length);
            ObjectRelease.Release(old);
            to.AddNamed(source, name, length);
            source.ChangedNs = FileSystem.Now;
            Touch(from);
            Touch(to);
            return 0;
        }

        // Takes and drops a use of an inode (an open file, a working directory).
        public static void Use(Inode inode) => inode.Users++;

        public static void Put(Inode inode)
        {
            if (--inode.Users < 0) throw new System.InvalidOperationException("Namespace.Put: inode has no users");
            FreeIfUnused(inode);
        }

        // An inode of a writable file system with no name and no users goes,
        // its pages with it (a mapping of them keeps its own reference).
        private static void FreeIfUnused(Inode inode)
        {
            if (inode.Generated)
            {
                // /proc's: gone with its last use, unless the walk that made it is still under way.
                if (inode.Users == 0 && !inode.Fresh) ProcTree.Free(inode);
                return;
            }
            if (inode.Linked || inode.Users > 0 || inode.Fs.ReadOnly) return;
            inode.Fs.InodeCount--;
            if (inode is RamFile file && file.Data != null) file.Data.Release(file.Fs.Frames);
            if (inode is Directory directory) directory.ReleaseSlots();
            if (inode is Symlink link && link.Owned != null) ObjectRelease.Release(link.Owned);
            ObjectRelease.Release(inode.Name);
            ObjectRelease.Release(inode);
        }

        private static int CanAdd(Directory parent, byte* name, int length)
        {
            if (length > PathWalk.NameMax) return -Errno.ENAMETOOLONG;
            if (!parent.Linked || parent.Fs.Synthetic) return -Errno.ENOENT;   // removed while someone was in it; /proc
            if (parent.Fs.ReadOnly) return -Errno.EROFS;
            if (parent.Fs.InodeCount >= FileSystem.MaxInodes || !parent.Fs.HasRoom) return -Errno.ENOSPC;
            return 0;
        }

        private static void Name(Inode inode, byte* name, int length)
        {
            inode.Name = new byte[length];
            for (int i = 0; i < length; i++) inode.Name[i] = name[i];
        }

        private static void Touch(Directory d) => d.ModifiedNs = d.ChangedNs = FileSystem.Now;
    }
}
