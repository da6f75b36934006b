using Sticky.Arch;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // The memory calls that ask or promise rather than change: mincore
    // (which pages are resident), msync (nothing is written back: a RAM
    // file's mapping is the file), mlock and friends (there is no swap, so
    // every page is locked already; they check the range as Linux does),
    // and membarrier.
    public static unsafe class SysMemoryQueries
    {
        private const int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
        private const int MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;

        // mincore(addr, length, vec): one byte per page, 1 if it is present.
        // EINVAL for an unaligned address, ENOMEM where nothing is mapped.
        public static long Mincore(ulong address, ulong length, ulong vector)
        {
            if ((address & Paging.PageMask) != 0) return -Errno.EINVAL;
            ulong end = Paging.AlignUp(address + length);
            if (end < address || end > Paging.UserEnd) return -Errno.ENOMEM;
            ulong pages = (end - address) >> Paging.PageShift;
            if (!UserMemory.IsUserRange(vector, pages)) return -Errno.EFAULT;
            Process p = Processes.Current;
            byte* chunk = stackalloc byte[256];
            for (ulong done = 0; done < pages;)
            {
                int n = pages - done < 256 ? (int)(pages - done) : 256;
                var space = p.LockSpace();
                bool mapped = true;
                for (int i = 0; i < n && mapped; i++)
                {
                    var va = new VirtualAddress(address + ((done + (ulong)i) << Paging.PageShift));
                    mapped = space.FindRegion(va, out _);
                    chunk[i] = (byte)(mapped && space.Table.Translate(va, out _, out _) ? 1 : 0);
                }
                Process.UnlockSpace(space);
                if (!mapped) return -Errno.ENOMEM;
                if (!UserMemory.CopyOut(vector + done, chunk, (ulong)n)) return -Errno.EFAULT;
                done += (ulong)n;
            }
            return 0;
        }

        public static long Msync(ulong address, ulong length, int flags)
        {
            if ((address & Paging.PageMask) != 0) return -Errno.EINVAL;
            if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0) return -Errno.EINVAL;
            if ((flags & (MS_ASYNC | MS_SYNC)) == (MS_ASYNC | MS_SYNC)) return -Errno.EINVAL;
            return AllMapped(address, length) ? 0 : -Errno.ENOMEM;
        }

        // mlock(addr, len) / munlock: the range, widened to pages, must be mapped.
        public static long Mlock(ulong address, ulong length, int flags = 0)
        {
            const int MLOCK_ONFAULT = 1;
            if ((flags & ~MLOCK_ONFAULT) != 0) return -Errno.EINVAL;
            ulong start = address & ~Paging.PageMask;
            return AllMapped(start, address + length - start) ? 0 : -Errno.ENOMEM;
        }

        public static long Mlockall(int flags)
        {
            if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) != 0) return -Errno.EINVAL;
            if ((flags & (MCL_CURRENT | MCL_FUTURE)) == 0) return -Errno.EINVAL;   // MCL_ONFAULT alone
            return 0;
        }

        private static bool AllMapped(ulong start, ulong length)
        {
            ulong end = Paging.AlignUp(start + length);
            if (end < start || end > Paging.UserEnd) return false;
            Process p = Processes.Current;
            var space = p.LockSpace();
            bool all = true;
            for (ulong va = start; va < end && all; va += Paging.PageSize)
            {
                all = space.FindRegion(new VirtualAddress(va), out Region r);
                if (all) va = r.End.Value - Paging.PageSize;   // skip to the region's last page
            }
            Process.UnlockSpace(space);
            return all;
        }

        // membarrier(2), as Linux 6.1 answers it without rseq: the other CPUs
        // running the process's threads (private) or any user thread (global)
        // each pass a full barrier before the call returns (MembarrierIpi).
        // The private commands need registration first (EPERM).
        private const int CMD_QUERY = 0, CMD_GLOBAL = 1, CMD_GLOBAL_EXPEDITED = 2, CMD_REGISTER_GLOBAL_EXPEDITED = 4,
            CMD_PRIVATE_EXPEDITED = 8, CMD_REGISTER_PRIVATE_EXPEDITED = 16, CMD_PRIVATE_EXPEDITED_SYNC_CORE = 32,
            CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 64;
        private const int Supported = CMD_GLOBAL | CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED |
            CMD_PRIVATE_EXPEDITED | CMD_REGISTER_PRIVATE_EXPEDITED | CMD_PRIVATE_EXPEDITED_SYNC_CORE |
            CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;

        public static long Membarrier(int command, uint flags)
        {
            if (flags != 0) return -Errno.EINVAL;
            Process p = Processes.Current;
            switch (command)
            {
                case CMD_QUERY: return Supported;
                case CMD_GLOBAL: case CMD_GLOBAL_EXPEDITED: MembarrierIpi.Run(null); return 0;
                case CMD_REGISTER_GLOBAL_EXPEDITED: case CMD_REGISTER_PRIVATE_EXPEDITED: case CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
                    fixed (int* registered = &p.MembarrierRegistered) Atomic.Or(registered, command);   // threads may register at once
                    return 0;
                case CMD_PRIVATE_EXPEDITED: case CMD_PRIVATE_EXPEDITED_SYNC_CORE:
                    if ((p.MembarrierRegistered & (command << 1)) == 0) return -Errno.EPERM;
                    MembarrierIpi.Run(p);
                    return 0;
                default: return -Errno.EINVAL;
            }
        }
    }
}
