namespace Sticky.Fs
{
    // Where a path leads, as far as it exists.
    public unsafe struct WalkResult
    {
        public Inode Target;          // what the path names; null if its last component does not exist
        public Directory Parent;      // the directory holding the last component; null when that is "." or ".." or the path is "/"
        public byte* Name;            // the last component (into the path, or into a symlink's target)
        public int NameLength;
        public bool TrailingSlash;    // "a/": the result must be a directory

        public bool NameIsDots => NameLength > 0 && NameLength <= 2 && Name[0] == (byte)'.' && (NameLength == 1 || Name[1] == (byte)'.');
    }

    // Path resolution, as Linux's namei: components split at '/', "." and
    // "..", symlinks followed (in the middle always, at the end unless asked
    // not to), at most MaxLinks of them per lookup (ELOOP). Root's ".." is root.
    // The caller holds the file-system lock; nothing here allocates, except
    // the inodes /proc makes as it is walked (ProcTree.cs: the caller ends the
    // walk with ProcTree.EndWalk, as PathAt.End does).
    public static unsafe class PathWalk
    {
        public const int NameMax = 255;     // NAME_MAX
        public const int PathMax = 4096;    // PATH_MAX, with the NUL
        public const int MaxLinks = 40;     // Linux's MAXSYMLINKS

        // "/a/b" for a directory, built backwards from its names and parents
        // (lock held); NUL-terminated. Its length, or -ENAMETOOLONG.
        public static int PathOf(Inode dir, byte* into, int capacity)
        {
            int end = capacity - 1, at = end;
            into[end] = 0;
            for (Inode i = dir; i.Parent != null; i = i.Parent)
            {
                int n = i.Name.Length;
                if (at - n - 1 < 0) return -Errno.ENAMETOOLONG;
                at -= n;
                for (int k = 0; k < n; k++) into[at + k] = i.Name[k];
                into[--at] = (byte)'/';
            }
            if (at == end) into[--at] = (byte)'/';
            int length = end - at;
            for (int k = 0; k <= length; k++) into[k] = into[at + k];
            return length;
        }

        // The path of the entry `name` of `dir` ("/a/b" + "/name"), as PathOf.
        public static int PathOf(Directory dir, byte* name, int nameLength, byte* into, int capacity)
        {
            int n = PathOf(dir, into, capacity);
            if (n < 0) return n;
            if (n > 1) into[n++] = (byte)'/';
            if (n + nameLength + 1 > capacity) return -Errno.ENAMETOOLONG;
            for (int i = 0; i < nameLength; i++) into[n + i] = name[i];
            into[n + nameLength] = 0;
            return n + nameLength;
        }

        // A path that names `target` (a directory: its own; a file: the first
        // entry found for it, searching the tree from `root`), as PathOf; -ENOENT
        // for a file no directory names any more.
        public static int FindPath(Directory root, Inode target, byte* into, int capacity)
        {
            if (target.IsDirectory) return target.Linked ? PathOf(target, into, capacity) : -Errno.ENOENT;
            Directory holder = Holder(root, target, out int slot);
            if (holder == null) return -Errno.ENOENT;
            byte[] name = holder.NameAt(slot);
            fixed (byte* n = name) return PathOf(holder, n, name.Length, into, capacity);
        }

        private static Directory Holder(Directory dir, Inode target, out int slot)
        {
            for (Inode e = dir.EntryFrom(0, out slot); e != null; e = dir.EntryFrom(slot + 1, out slot))
                if (e == target) return dir;
            for (Inode e = dir.EntryFrom(0, out int i); e != null; e = dir.EntryFrom(i + 1, out i))
            {
                if (!(e is Directory sub)) continue;
                Directory found = Holder(sub, target, out slot);
                if (found != null) return found;
            }
            slot = 0;
            return null;
        }

        // 0 or -errno (ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP). A missing last
        // component is not an error here: Target is null, Parent says where it would go.
        public static int Walk(Directory root, Directory start, byte* path, int length, bool followLast, out WalkResult result)
        {
            int links = 0;
            return Walk(root, start, path, length, followLast, ref links, out result);
        }

        private static int Walk(Directory root, Directory start, byte* path, int length, bool followLast, ref int links, out WalkResult r)
        {
            r = default;
            if (length == 0) return -Errno.ENOENT;
            Inode dir = path[0] == (byte)'/' ? root : start;
            int i = 0;
            while (true)
            {
                while (i < length && path[i] == (byte)'/') i++;
                if (i == length)
                {
                    // "/", or a path ending in slashes after a directory already reached ("a/" is handled below).
                    r.Target = dir;
                    r.TrailingSlash = true;
                    return 0;
                }
                int s = i;
                while (i < length && path[i] != (byte)'/') i++;
                int n = i - s;
                if (n > NameMax) return -Errno.ENAMETOOLONG;
                int after = i;
                while (after < length && path[after] == (byte)'/') after++;
                bool last = after == length;
                if (!dir.IsDirectory) return -Errno.ENOTDIR;
                var d = (Directory)dir;
                byte* name = path + s;
                Inode next;
                bool dots = n <= 2 && name[0] == (byte)'.' && (n == 1 || name[1] == (byte)'.');
                if (dots && n == 1) next = d;
                else if (dots) { next = d == root ? root : d.Parent; if (next == null) return -Errno.ENOENT; }
                else next = d.Find(name, n) ?? (ProcTree.Lists(d) ? ProcTree.Lookup(d, name, n) : null);

                if (last)
                {
                    bool trailing = after > i;
                    if (next is Symlink link && (followLast || trailing))
                    {
                        if (++links > MaxLinks) return -Errno.ELOOP;
                        int err = Walk(root, d, link.Target, link.TargetLength, true, ref links, out r);
                        if (err != 0) return err;
                        if (trailing && r.Target != null && !r.Target.IsDirectory) return -Errno.ENOTDIR;
                        r.TrailingSlash |= trailing;
                        return 0;
                    }
                    r.Target = next;
                    r.Parent = dots ? null : d;
                    r.Name = name;
                    r.NameLength = n;
                    r.TrailingSlash = trailing;
                    if (trailing && next != null && !next.IsDirectory) return -Errno.ENOTDIR;
                    return 0;
                }

                if (next == null) return -Errno.ENOENT;
                if (next is Symlink middle)
                {
                    if (++links > MaxLinks) return -Errno.ELOOP;
                    int err = Walk(root, d, middle.Target, middle.TargetLength, true, ref links, out WalkResult through);
                    if (err != 0) return err;
                    if (through.Target == null) return -Errno.ENOENT;
                    next = through.Target;
                }
                if (!next.IsDirectory) return -Errno.ENOTDIR;
                dir = next;
                i = after;
            }
        }
    }
}
