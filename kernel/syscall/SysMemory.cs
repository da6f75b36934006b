using Sticky.Debug;
using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // mmap (anonymous, private or shared), munmap, mprotect, brk and mremap's
    // second mapping of shared memory, on the current process's address
    // space, under its space lock. Mappings of files: SysMemoryFiles.cs.
    public static unsafe partial class SysMemory
    {
        private const int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
        private const int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_SHARED_VALIDATE = 3, MAP_TYPE = 0xF,
            MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800,
            MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000,
            MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000, MAP_FIXED_NOREPLACE = 0x100000;
        private const int KnownFlags = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE |
            MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE;

        public static long Mmap(ulong address, ulong length, int prot, int flags, int fd, ulong offset)
        {
            int type = flags & MAP_TYPE;
            if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) return -Errno.EINVAL;
            if (type == MAP_SHARED_VALIDATE && (flags & ~KnownFlags) != 0) return -Errno.EOPNOTSUPP;
            if (length == 0 || (offset & Paging.PageMask) != 0) return -Errno.EINVAL;
            if ((flags & MAP_ANONYMOUS) == 0) return MmapFile(address, length, prot, flags, fd, offset);
            ulong size = Paging.AlignUp(length);
            if (size < length || size > Paging.UserEnd) return -Errno.ENOMEM;
            bool fixedAt = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
            if (fixedAt && (address & Paging.PageMask) != 0) return -Errno.EINVAL;

            Process p = Processes.Current;
            SharedMemoryObject backing = null;
            if (type != MAP_PRIVATE)
            {
                // The object's frame array must not outgrow memory (a kernel allocation failure panics).
                if ((size >> Paging.PageShift) > KernelMemory.Frames.FreeFrames) return -Errno.ENOMEM;
                backing = new SharedMemoryObject(size >> Paging.PageShift);
            }
            var locked = p.LockSpace();
            long result = Place(p, address, size, ProtectionOf(prot), flags, backing, 0);
            Process.UnlockSpace(locked);
            backing?.Release(KernelMemory.Frames);   // the region holds its own reference
            return result;
        }

        private const int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
        private static bool _mremapResizeReported;

        // mremap with old_size 0 on a MAP_SHARED mapping: a second mapping of the
        // same pages, with the same protection, anywhere (MREMAP_MAYMOVE, which
        // Linux requires for it) or at new_address (MREMAP_FIXED). Resizing or
        // moving a mapping is not implemented: ENOSYS (logged once), which musl's
        // realloc takes as "copy instead".
        public static long Mremap(ulong address, ulong oldSize, ulong newSize, int flags, ulong newAddress)
        {
            if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0) return -Errno.EINVAL;
            if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) return -Errno.EINVAL;
            if ((address & Paging.PageMask) != 0 || newSize == 0) return -Errno.EINVAL;
            ulong size = Paging.AlignUp(newSize);
            if (size < newSize || size > Paging.UserEnd) return -Errno.ENOMEM;
            if (oldSize != 0 || (flags & MREMAP_DONTUNMAP) != 0)
            {
                if (!_mremapResizeReported && Log.On(Subsystem.Syscall, Level.Warn))
                {
                    _mremapResizeReported = true;
                    Log.Write(Subsystem.Syscall, Level.Warn, "mremap resizing or moving a mapping is not implemented: ENOSYS (only old_size 0 on shared memory; reported once)",
                              "pid", Processes.Current.Pid);
                }
                return -Errno.ENOSYS;
            }
            if ((flags & MREMAP_FIXED) != 0 && (newAddress & Paging.PageMask) != 0) return -Errno.EINVAL;
            Process p = Processes.Current;
            var locked = p.LockSpace();
            long result;
            if (!p.Space.FindRegion(new VirtualAddress(address), out Region r)) result = -Errno.EFAULT;
            else if (!r.IsShared) result = -Errno.EINVAL;   // Linux: a private mapping cannot be duplicated
            else if ((flags & MREMAP_MAYMOVE) == 0) result = -Errno.ENOMEM;   // it would have to grow in place
            else
            {
                ulong page = r.BackingPageOf(new VirtualAddress(address));
                if (size >> Paging.PageShift > r.Backing.PageCount - page) result = -Errno.EINVAL;   // past the object
                else
                {
                    int mmapFlags = (flags & MREMAP_FIXED) != 0 ? MAP_FIXED : 0;
                    result = Place(p, (flags & MREMAP_FIXED) != 0 ? newAddress : 0, size, r.Protection, mmapFlags, r.Backing, page);
                }
            }
            Process.UnlockSpace(locked);
            return result;
        }

        // Also shmat's (SysShm).
        internal static long Place(Process p, ulong hint, ulong size, Protection prot, int flags, SharedMemoryObject backing, ulong backingPage)
        {
            var space = p.Space;
            ulong start;
            if ((flags & MAP_FIXED_NOREPLACE) != 0) start = hint;
            else if ((flags & MAP_FIXED) != 0)
            {
                start = hint;
                // The address is page-aligned (checked above): a bad range is one past user space.
                if (space.RemoveRange(new VirtualAddress(start), size) != RegionResult.Ok) return -Errno.ENOMEM;
            }
            else
            {
                hint = Paging.AlignDown(hint);
                // The hint if the whole range is free there (FindFreeRange within exactly it), else top-down.
                if (hint == 0 || hint + size < hint ||
                    !space.FindFreeRange(size, new VirtualAddress(hint), new VirtualAddress(hint + size), out _))
                {
                    if (!space.FindFreeRange(size, new VirtualAddress(Paging.UserStart), new VirtualAddress(p.MmapCeiling), out VirtualAddress found))
                        return -Errno.ENOMEM;
                    hint = found.Value;
                }
                start = hint;
            }
            RegionResult r = backing == null
                ? space.AddRegion(new VirtualAddress(start), size, prot)
                : space.AddSharedRegion(new VirtualAddress(start), size, prot, backing, backingPage);
            if (r == RegionResult.Overlaps) return -Errno.EEXIST;
            if (r != RegionResult.Ok) return -Errno.ENOMEM;   // outside user space, as Linux says for MAP_FIXED too
            return (long)start;
        }

        public static long Munmap(ulong address, ulong length)
        {
            if ((address & Paging.PageMask) != 0 || length == 0) return -Errno.EINVAL;
            Process p = Processes.Current;
            var locked = p.LockSpace();
            RegionResult r = p.Space.RemoveRange(new VirtualAddress(address), Paging.AlignUp(length));
            Process.UnlockSpace(locked);
            return r == RegionResult.Ok ? 0 : -Errno.EINVAL;
        }

        public static long Mprotect(ulong address, ulong length, int prot)
        {
            if ((address & Paging.PageMask) != 0) return -Errno.EINVAL;
            if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) return -Errno.EINVAL;
            if (length == 0) return 0;
            Process p = Processes.Current;
            var locked = p.LockSpace();
            RegionResult r = p.Space.ProtectRange(new VirtualAddress(address), Paging.AlignUp(length), ProtectionOf(prot));
            Process.UnlockSpace(locked);
            return r == RegionResult.Ok ? 0 : r == RegionResult.NotMapped ? -Errno.ENOMEM : -Errno.EINVAL;
        }

        // brk(0) asks; anything else moves the break if the pages can be mapped,
        // and always answers with the break now in force (Linux's contract).
        public static long Brk(ulong requested)
        {
            Process p = Processes.Current;
            if (requested < p.BrkStart) return (long)p.Brk;
            ulong oldEnd = Paging.AlignUp(p.Brk), newEnd = Paging.AlignUp(requested);
            var locked = p.LockSpace();
            RegionResult r = RegionResult.Ok;
            if (newEnd > oldEnd) r = p.Space.AddRegion(new VirtualAddress(oldEnd), newEnd - oldEnd, Protection.ReadWrite);
            else if (newEnd < oldEnd) r = p.Space.RemoveRange(new VirtualAddress(newEnd), oldEnd - newEnd);
            if (r == RegionResult.Ok) p.Brk = requested;
            Process.UnlockSpace(locked);
            return (long)p.Brk;
        }

        private static Protection ProtectionOf(int prot)
        {
            Protection result = Protection.None;
            if ((prot & PROT_READ) != 0) result |= Protection.Read;
            if ((prot & PROT_WRITE) != 0) result |= Protection.Write | Protection.Read;   // x86 cannot write-only
            if ((prot & PROT_EXEC) != 0) result |= Protection.Execute | Protection.Read;
            return result;
        }
    }
}
