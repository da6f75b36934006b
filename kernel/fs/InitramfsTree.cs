namespace Sticky.Fs
{
    // The initramfs as a tree: a directory per directory member (and per
    // missing parent of a member: archives often list only files), files and
    // symlinks read in place from the archive. Device nodes, fifos and sockets
    // in the archive are left out. A corrupt archive yields the members before
    // the damage.
    public static unsafe class InitramfsTree
    {
        public static Directory Build(byte* archive, ulong length, FileSystem fs)
        {
            var root = fs.Adopt(new Directory(), 0x1ED);   // 0755
            ulong offset = 0;
            while (Cpio.Next(archive, length, ref offset, out CpioEntry e) == CpioError.Ok)
                Add(root, fs, e);
            return root;
        }

        private static void Add(Directory root, FileSystem fs, in CpioEntry e)
        {
            byte* name = e.Name;
            int n = e.NameLength;
            Directory dir = root;
            int i = 0;
            while (true)
            {
                while (i < n && (name[i] == (byte)'/' || (name[i] == (byte)'.' && (i + 1 == n || name[i + 1] == (byte)'/')))) i++;
                if (i == n)
                {
                    if (e.IsDirectory) Stamp(dir, e);   // "." or "/": the root itself
                    return;
                }
                int s = i;
                while (i < n && name[i] != (byte)'/') i++;
                int len = i - s;
                if (len > PathWalk.NameMax) return;
                bool last = true;
                for (int j = i; j < n; j++) if (name[j] != (byte)'/') { last = false; break; }
                Inode existing = dir.Find(name + s, len);
                if (!last)
                {
                    if (existing == null) existing = Named(dir, fs, new Directory(), name + s, len, 0x1ED);
                    if (!existing.IsDirectory) return;   // a file where a directory is needed: skip the member
                    dir = (Directory)existing;
                    continue;
                }
                if (existing != null)
                {
                    if (existing.IsDirectory && e.IsDirectory) Stamp(existing, e);
                    return;   // the first member of a name wins
                }
                if (e.IsDirectory) Stamp(Named(dir, fs, new Directory(), name + s, len, e.Mode), e);
                else if (e.IsRegular) Stamp(Named(dir, fs, new ImageFile { Data = e.Data, Length = e.Size }, name + s, len, e.Mode), e);
                else if (e.IsSymlink && e.Size > 0 && e.Size < PathWalk.PathMax)
                    Stamp(Named(dir, fs, new Symlink { Target = e.Data, TargetLength = (int)e.Size }, name + s, len, e.Mode), e);
                return;
            }
        }

        private static Inode Named(Directory parent, FileSystem fs, Inode inode, byte* name, int length, uint mode)
        {
            fs.Adopt(inode, mode);
            inode.Name = new byte[length];
            for (int k = 0; k < length; k++) inode.Name[k] = name[k];
            parent.Add(inode);
            return inode;
        }

        private static void Stamp(Inode inode, in CpioEntry e)
        {
            inode.Permissions = e.Mode & 0xFFF;
            inode.ModifiedNs = inode.ChangedNs = inode.AccessedNs = (long)e.Mtime * 1_000_000_000L;
        }
    }
}
