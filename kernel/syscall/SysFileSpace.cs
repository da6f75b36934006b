using Sticky.Fs;
using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // File systems and file contents as a whole: statfs/fstatfs, sendfile,
    // copy_file_range, fadvise64 (advice, checked and dropped), fallocate.
    public static unsafe class SysFileSpace
    {
        private const long PIPEFS_MAGIC = 0x50495045,
            SOCKFS_MAGIC = 0x534F434B, ANON_INODE_FS_MAGIC = 0x09041934, DEVPTS_MAGIC = 0x1cd1;
        private const long ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_VALID = 0x20;

        // struct statfs (x86-64): type, bsize, blocks, bfree, bavail, files, ffree, fsid[2], namelen, frsize, flags, spare[4].
        private struct Statfs
        {
            public long Type, BlockSize;
            public ulong Blocks, Free, Available, Files, FreeFiles;
            public int Fsid0, Fsid1;
            public long NameLength, FragmentSize, Flags;
            public long Spare0, Spare1, Spare2, Spare3;
        }

        // Lock held. A RAM file system (/tmp, /dev/shm) is tmpfs-like: its
        // blocks are the machine's frames, free ones free; the initramfs is
        // the root's ramfs, full and read-only; /dev is devtmpfs (tmpfs's magic, all free);
        // /proc and /sys have no blocks.
        private static void Fill(FileSystem fs, Statfs* s)
        {
            *s = default;
            s->BlockSize = s->FragmentSize = (long)Paging.PageSize;
            s->NameLength = PathWalk.NameMax;
            s->Fsid0 = (int)fs.Device;
            s->Flags = ST_VALID | (fs.ReadOnly ? ST_RDONLY : 0);
            FrameTable frames = KernelMemory.Frames;
            s->Type = fs.Magic;
            if (fs.Frames == null) { }   // /proc, /sys: no blocks, no inode counts (df leaves them out)
            else if (fs.Magic == FileSystem.RamfsMagic)
            {
                s->Blocks = (ulong)(Initramfs.Length + Paging.PageSize - 1) / Paging.PageSize;
                s->Files = (ulong)fs.InodeCount;
            }
            else
            {
                s->Blocks = frames.FreeFrames + frames.UsedFrames;
                ulong floor = frames.ReserveFloor + FileSystem.HeapMargin;
                // /dev holds no data: none of it is used (as Linux's devtmpfs shows).
                s->Free = s->Available = fs.ReadOnly ? s->Blocks : frames.FreeFrames > floor ? frames.FreeFrames - floor : 0;
                s->Files = FileSystem.MaxInodes;
                s->FreeFiles = fs.ReadOnly ? 0 : (ulong)(FileSystem.MaxInodes - fs.InodeCount);
                if (fs.ReadOnly) s->Flags |= ST_NOSUID;
            }
        }

        public static long StatfsPath(ulong userPath, ulong buffer)
        {
            byte* path = stackalloc byte[PathWalk.PathMax];
            int length = Vfs.ReadPath(userPath, path);
            if (length < 0) return length;
            Statfs s;
            var at = new PathAt();
            int err = at.Begin(Vfs.AT_FDCWD, path, length, true);
            if (err == 0 && at.Result.Target == null) err = -Errno.ENOENT;
            if (err == 0) Fill(at.Result.Target.Fs, &s);
            at.End();
            if (err != 0) return err;
            return UserMemory.CopyOut(buffer, &s, (ulong)sizeof(Statfs)) ? 0 : -Errno.EFAULT;
        }

        public static long Fstatfs(int fd, ulong buffer)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            Statfs s = default;
            if (f.Inode != null && f.Kind == FileKind.Inode)
            {
                ulong flags = Vfs.Lock();
                Fill(f.Inode.Fs, &s);
                Vfs.Unlock(flags);
            }
            else
            {
                s.BlockSize = s.FragmentSize = (long)Paging.PageSize;
                s.NameLength = PathWalk.NameMax;
                s.Flags = ST_VALID;
                s.Type = f.Kind == FileKind.Socket ? SOCKFS_MAGIC : f.Kind == FileKind.EventFd ? ANON_INODE_FS_MAGIC
                       : f.Kind == FileKind.Console ? DEVPTS_MAGIC : PIPEFS_MAGIC;
            }
            f.Release();
            return UserMemory.CopyOut(buffer, &s, (ulong)sizeof(Statfs)) ? 0 : -Errno.EFAULT;
        }

        // sendfile(out, in, offset or null, count): `in` must be a file of the
        // tree that can be read at an offset (EINVAL otherwise); `out` anything
        // writable. With an offset, in's position stays and the offset moves.
        public static long Sendfile(int outFd, int inFd, ulong offsetPtr, ulong count)
        {
            File input = Processes.Current.Files.Acquire(inFd);
            if (input == null) return -Errno.EBADF;
            File output = Processes.Current.Files.Acquire(outFd);
            long result;
            if (output == null) result = -Errno.EBADF;
            else if (!input.CanRead || !output.CanWrite) result = -Errno.EBADF;
            else if (input.Kind != FileKind.Inode || input.Inode.IsDirectory) result = -Errno.EINVAL;
            else if ((output.Flags & File.O_APPEND) != 0) result = -Errno.EINVAL;
            else result = Copy(input, output, offsetPtr, count, outOffsetPtr: 0, outIsFile: false);
            output?.Release();
            input.Release();
            return SysSignal.SigpipeOnEpipe(result);
        }

        // copy_file_range(in, off_in, out, off_out, len, flags): regular files of the tree; flags must be 0.
        public static long CopyFileRange(int inFd, ulong inOffset, int outFd, ulong outOffset, ulong count, uint flags)
        {
            if (flags != 0) return -Errno.EINVAL;
            File input = Processes.Current.Files.Acquire(inFd);
            if (input == null) return -Errno.EBADF;
            File output = Processes.Current.Files.Acquire(outFd);
            long result;
            if (output == null) result = -Errno.EBADF;
            else if (!input.CanRead || !output.CanWrite || (output.Flags & File.O_APPEND) != 0) result = -Errno.EBADF;
            else if (input.Kind != FileKind.Inode || output.Kind != FileKind.Inode) result = -Errno.EINVAL;
            else if (input.Inode.IsDirectory || output.Inode.IsDirectory) result = -Errno.EISDIR;
            else if (!(output.Inode is RamFile) || !(input.Inode is RamFile || input.Inode is ImageFile)) result = -Errno.EINVAL;
            else result = Copy(input, output, inOffset, count, outOffset, outIsFile: true);
            output?.Release();
            input.Release();
            return result;
        }

        // The loop both share: a page at a time through a kernel buffer; short at end of file.
        private static long Copy(File input, File output, ulong inOffsetPtr, ulong count, ulong outOffsetPtr, bool outIsFile)
        {
            long inAt = -1, outAt = -1;
            if (inOffsetPtr != 0)
            {
                if (!UserMemory.Read(inOffsetPtr, out inAt)) return -Errno.EFAULT;
                if (inAt < 0) return -Errno.EINVAL;
            }
            if (outOffsetPtr != 0)
            {
                if (!UserMemory.Read(outOffsetPtr, out outAt)) return -Errno.EFAULT;
                if (outAt < 0) return -Errno.EINVAL;
            }
            if (outIsFile && input.Inode == output.Inode)
            {
                // Overlapping ranges of one file: EINVAL, as Linux.
                long a = inAt >= 0 ? inAt : (long)input.Offset, b = outAt >= 0 ? outAt : (long)output.Offset;
                if (a < b + (long)count && b < a + (long)count) return -Errno.EINVAL;
            }
            byte* buffer = stackalloc byte[(int)Paging.PageSize];
            ulong done = 0;
            while (done < count)
            {
                int want = count - done < Paging.PageSize ? (int)(count - done) : (int)Paging.PageSize;
                int got = FileIo.Read(input, buffer, want, inAt >= 0 ? inAt + (long)done : -1);
                if (got <= 0) { if (got < 0 && done == 0) return got; break; }
                int put = outIsFile ? FileIo.Write(output, buffer, got, outAt >= 0 ? outAt + (long)done : -1) : SysIo.WriteKernel(output, buffer, got);
                if (put < 0) { if (done == 0) return put; break; }
                done += (ulong)put;
                if (put < got)
                {
                    // The reader moved past what the writer took: give the rest back.
                    if (inAt < 0) { ulong flags = Vfs.Lock(); input.Offset -= (ulong)(got - put); Vfs.Unlock(flags); }
                    break;
                }
                if (got < want) break;
            }
            if (inOffsetPtr != 0 && !UserMemory.Write(inOffsetPtr, inAt + (long)done)) return -Errno.EFAULT;
            if (outOffsetPtr != 0 && !UserMemory.Write(outOffsetPtr, outAt + (long)done)) return -Errno.EFAULT;
            return (long)done;
        }

        // fadvise64(fd, offset, len, advice): advice 0..5; ESPIPE for pipes and sockets.
        public static long Fadvise(int fd, long offset, long length, int advice)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            bool seekable = f.Kind == FileKind.Inode;
            f.Release();
            if (!seekable) return -Errno.ESPIPE;
            if (advice < 0 || advice > 5 || length < 0) return -Errno.EINVAL;
            return 0;
        }

        // fallocate(fd, mode, offset, len): mode 0 grows the file to cover the
        // range (its pages are committed as written, like the rest);
        // FALLOC_FL_KEEP_SIZE is accepted; punching holes and the rest EOPNOTSUPP.
        public static long Fallocate(int fd, int mode, long offset, long length)
        {
            const int KEEP_SIZE = 1;
            if (offset < 0 || length <= 0) return -Errno.EINVAL;
            if (offset + length < offset) return -Errno.EFBIG;
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result;
            if (!f.CanWrite) result = -Errno.EBADF;
            else if (f.Kind != FileKind.Inode) result = -Errno.ESPIPE;
            else if (f.Inode.IsDirectory) result = -Errno.EISDIR;
            else if ((mode & ~KEEP_SIZE) != 0) result = -Errno.EOPNOTSUPP;
            else if (!(f.Inode is RamFile ram)) result = -Errno.ENODEV;
            else
            {
                ulong flags = Vfs.Lock();
                ulong end = (ulong)(offset + length);
                result = (mode & KEEP_SIZE) != 0 || end <= ram.Length ? 0
                       : !FileData.EnsurePages(ram, end) ? -Errno.ENOSPC : FileData.Truncate(default(DirectMap), ram, end);
                Vfs.Unlock(flags);
            }
            f.Release();
            return result;
        }
    }
}
