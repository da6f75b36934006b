using Sticky.Fs;
using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // mmap of a file. MAP_SHARED of a RAM file maps the file's own pages (its
    // SharedMemoryObject): writes through the mapping are the file's bytes,
    // other processes mapping it see them, and a futex there is keyed by the
    // object, in every futex design. MAP_PRIVATE (and a read-only MAP_SHARED of
    // an initramfs file, which nobody can change) is a private copy of the
    // file's bytes made at mmap time. /dev/zero maps anonymous memory.
    public static unsafe partial class SysMemory
    {
        private static long MmapFile(ulong address, ulong length, int prot, int flags, int fd, ulong offset)
        {
            File f = Processes.Current.Files.Acquire(fd);
            if (f == null) return -Errno.EBADF;
            long result = MmapFile(f, address, length, prot, flags, offset);
            f.Release();
            return result;
        }

        private static long MmapFile(File f, ulong address, ulong length, int prot, int flags, ulong offset)
        {
            bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
            if (f.IsPath) return -Errno.EBADF;
            if (f.Kind != FileKind.Inode) return -Errno.ENODEV;                 // the console, a pipe
            if (f.Inode is DeviceNode device)
                return device.Device == DeviceKind.Zero ? Mmap(address, length, prot, flags | MAP_ANONYMOUS, -1, 0) : -Errno.ENODEV;
            if (!(f.Inode is RamFile) && !(f.Inode is ImageFile)) return -Errno.ENODEV;   // a directory
            if (!f.CanRead) return -Errno.EACCES;
            if (shared && (prot & PROT_WRITE) != 0 && !f.CanWrite) return -Errno.EACCES;
            ulong size = Paging.AlignUp(length);
            if (size < length || size > Paging.UserEnd) return -Errno.ENOMEM;
            if (offset + size < offset) return -Errno.EOVERFLOW;
            if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0 && (address & Paging.PageMask) != 0) return -Errno.EINVAL;
            if (shared && f.Inode is RamFile ram) return MapShared(ram, address, size, prot, flags, offset);
            return MapCopy(f.Inode, address, size, prot, flags, offset);
        }

        private static long MapShared(RamFile file, ulong address, ulong size, int prot, int flags, ulong offset)
        {
            if (offset + size > FileData.MaxSize) return -Errno.EFBIG;
            ulong fsFlags = Vfs.Lock();
            // A mapping may reach past the end of the file: the page array covers it.
            if (!FileData.EnsurePages(file, offset + size)) { Vfs.Unlock(fsFlags); return -Errno.ENOMEM; }
            SharedMemoryObject backing = file.Data;
            backing.AddRef();                              // ours, until the region holds its own
            Vfs.Unlock(fsFlags);
            Process p = Processes.Current;
            var locked = p.LockSpace();
            long result = Place(p, address, size, ProtectionOf(prot), flags & ~MAP_TYPE | MAP_SHARED, backing, offset >> Paging.PageShift);
            Process.UnlockSpace(locked);
            fsFlags = Vfs.Lock();
            backing.Release(KernelMemory.Frames);
            Vfs.Unlock(fsFlags);
            return result;
        }

        // A private region filled with the file's bytes from `offset` (zeros past its end).
        private static long MapCopy(Inode file, ulong address, ulong size, int prot, int flags, ulong offset)
        {
            Process p = Processes.Current;
            var locked = p.LockSpace();
            long start = Place(p, address, size, Protection.ReadWrite, flags & ~MAP_TYPE | MAP_PRIVATE, null, 0);
            Process.UnlockSpace(locked);
            if (start < 0) return start;
            byte* page = stackalloc byte[(int)Paging.PageSize];
            var bounce = new File { Kind = FileKind.Inode, Inode = file, Flags = File.O_RDONLY };   // FileIo reads through a file
            Vfs.Use(file);
            long result = start;
            for (ulong done = 0; done < size; done += Paging.PageSize)
            {
                int n = FileIo.Read(bounce, page, (int)Paging.PageSize, (long)(offset + done));
                if (n <= 0) break;   // the rest is past the end of the file: demand-zero pages
                locked = p.LockSpace();
                FaultVerdict v = p.Space.ResolvePage(new VirtualAddress((ulong)start + done), true, out FrameNumber frame);
                if (v == FaultVerdict.Handled)
                {
                    byte* to = DirectMap.Pointer(frame);
                    for (int i = 0; i < n; i++) to[i] = page[i];
                }
                Process.UnlockSpace(locked);
                if (v == FaultVerdict.OutOfMemory) { result = -Errno.ENOMEM; break; }
                if (v != FaultVerdict.Handled) break;   // another thread unmapped it meanwhile: its problem
            }
            bounce.Release();   // and with it our use of the inode
            locked = p.LockSpace();
            if (result < 0) p.Space.RemoveRange(new VirtualAddress((ulong)start), size);
            else if (ProtectionOf(prot) != Protection.ReadWrite) p.Space.ProtectRange(new VirtualAddress((ulong)start), size, ProtectionOf(prot));
            Process.UnlockSpace(locked);
            return result;
        }
    }
}
