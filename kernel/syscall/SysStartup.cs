using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Time;

namespace Sticky.Sys
{
    // What a libc asks for as a program starts and runs: random bytes, the
    // time of day in the old forms, the CPUs it may run on, resource use,
    // system facts. There is no CPU-time accounting: the CPU times reported
    // are zero.
    public static unsafe class SysStartup
    {
        private const ulong NsPerSecond = 1_000_000_000;

        // getrandom(buf, count, flags): GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE
        // (not RANDOM with INSECURE). Never blocks: the generator is always ready.
        public static long Getrandom(ulong buffer, ulong count, uint flags)
        {
            const uint NONBLOCK = 1, RANDOM = 2, INSECURE = 4;
            if ((flags & ~(NONBLOCK | RANDOM | INSECURE)) != 0 || (flags & (RANDOM | INSECURE)) == (RANDOM | INSECURE))
                return -Errno.EINVAL;
            if (count > int.MaxValue >> 6) count = int.MaxValue >> 6;   // Linux's cap on one call
            byte* bounce = stackalloc byte[256];
            ulong done = 0;
            while (done < count)
            {
                int n = count - done < 256 ? (int)(count - done) : 256;
                Entropy.Fill(bounce, n);
                if (!UserMemory.CopyOut(buffer + done, bounce, (ulong)n)) return done > 0 ? (long)done : -Errno.EFAULT;
                done += (ulong)n;
            }
            return (long)done;
        }

        public static long Time(ulong into)
        {
            SysTime.Now(SysTime.CLOCK_REALTIME, out ulong ns);
            long seconds = (long)(ns / NsPerSecond);
            if (into != 0 && !UserMemory.Write(into, seconds)) return -Errno.EFAULT;
            return seconds;
        }

        // struct timeval { seconds, microseconds }; the time zone (obsolete) is UTC.
        public static long Gettimeofday(ulong tv, ulong tz)
        {
            SysTime.Now(SysTime.CLOCK_REALTIME, out ulong ns);
            ulong* t = stackalloc ulong[2];
            t[0] = ns / NsPerSecond;
            t[1] = ns % NsPerSecond / 1000;
            if (tv != 0 && !UserMemory.CopyOut(tv, t, 16)) return -Errno.EFAULT;
            if (tz != 0 && !UserMemory.Zero(tz, 8)) return -Errno.EFAULT;
            return 0;
        }

        // The CPUs that are up: a thread may run on any of them (one run queue).
        public static ulong OnlineCpuMask
        {
            get
            {
                int n = Sticky.Arch.Cpus.Count < 1 ? 1 : Sticky.Arch.Cpus.Count;
                return n >= 64 ? ulong.MaxValue : (1UL << n) - 1;
            }
        }

        // Every CPU that is up, in a cpumask of one word (what Linux returns the size of).
        public static long SchedGetaffinity(int pid, ulong length, ulong mask)
        {
            const ulong MaskBytes = 8;
            if (!ProcessExists(pid)) return -Errno.ESRCH;
            if (length < MaskBytes || (length & 7) != 0) return -Errno.EINVAL;
            return UserMemory.Write(mask, OnlineCpuMask) ? (long)MaskBytes : -Errno.EFAULT;
        }

        // struct rusage (144 bytes): no CPU times; the peak resident size is the resident size now, in KiB.
        public static long Getrusage(int who, ulong usage)
        {
            const int SELF = 0, CHILDREN = -1, THREAD = 1;
            if (who != SELF && who != CHILDREN && who != THREAD) return -Errno.EINVAL;
            long* r = stackalloc long[18];
            for (int i = 0; i < 18; i++) r[i] = 0;
            if (who != CHILDREN) r[4] = (long)Processes.Current.Space.ResidentPages * 4;   // ru_maxrss
            return UserMemory.CopyOut(usage, r, 144) ? 0 : -Errno.EFAULT;
        }

        // Clock ticks (USER_HZ = 100) since boot; struct tms: no CPU times.
        public static long Times(ulong tms)
        {
            if (tms != 0 && !UserMemory.Zero(tms, 32)) return -Errno.EFAULT;
            return (long)(Clock.NowNanoseconds / 10_000_000);
        }

        // struct sysinfo (112 bytes): uptime, memory in bytes (mem_unit 1), processes.
        public static long Sysinfo(ulong info)
        {
            byte* s = stackalloc byte[112];
            for (int i = 0; i < 112; i++) s[i] = 0;
            *(long*)(s + 0) = (long)(Clock.NowNanoseconds / NsPerSecond);
            FrameTable frames = KernelMemory.Frames;
            *(ulong*)(s + 32) = (frames.FreeFrames + frames.UsedFrames) * Paging.PageSize;   // totalram
            *(ulong*)(s + 40) = frames.FreeFrames * Paging.PageSize;                          // freeram
            *(ulong*)(s + 48) = frames.SharedFrames * Paging.PageSize;                        // sharedram
            *(ushort*)(s + 80) = (ushort)Processes.LiveCount;                                 // procs
            *(uint*)(s + 104) = 1;                                                             // mem_unit
            return UserMemory.CopyOut(info, s, 112) ? 0 : -Errno.EFAULT;
        }

        public static bool ProcessExists(int pid)
        {
            if (pid == 0) return true;
            ulong flags = Scheduler.Lock();
            bool found = false;
            for (Thread t = Scheduler.AllThreads; t != null && !found; t = t.NextAll)
                found = t.Id == pid && t.Process != null;
            Scheduler.Unlock(flags);
            return found;
        }
    }
}
