using Sticky.Arch;
using Sticky.Fs;
using Sticky.Mm;
using Sticky.Sys;
using Sticky.Time;

namespace Sticky.Proc
{
    // The text of /proc's and /sys's files, made from kernel state when a
    // read begins (Io.FileIo.ReadProc), in Linux's formats so that libcs and
    // tools parse it: the machine-wide files here, a process's in
    // ProcProcessText.cs. Numbers the kernel does not keep (CPU times, load
    // averages, idle time) are zeros, not guesses.
    public static unsafe class ProcText
    {
        // The file's text, or null when its process has gone (ESRCH).
        public static TextBuffer Make(ProcFile file)
        {
            var t = new TextBuffer();
            bool ok = true;
            switch (file.Node)
            {
                case ProcNode.Meminfo: Meminfo(t); break;
                case ProcNode.Cpuinfo: Cpuinfo(t); break;
                case ProcNode.Mounts: Mounts(t); break;
                case ProcNode.Filesystems: Filesystems(t); break;
                case ProcNode.Uptime: Uptime(t); break;
                case ProcNode.Loadavg: Loadavg(t); break;
                case ProcNode.SystemStat: SystemStat(t); break;
                case ProcNode.Version: Version(t); break;
                case ProcNode.CpusOnline: case ProcNode.CpusPossible: case ProcNode.CpusPresent: CpuList(t); t.Put((byte)'\n'); break;
                default: ok = ProcProcessText.Make(file.Node, file.Pid, t); break;
            }
            if (ok) return t;
            t.Release();
            return null;
        }

        // ---- memory -----------------------------------------------------------

        // The frame table's counts, as sysinfo(2) gives them (Shmem: frames
        // shared between mappings). MemAvailable leaves out the frames only
        // the kernel heap may take; the kernel heap is Slab, none of it reclaimable.
        private static void Meminfo(TextBuffer t)
        {
            FrameTable frames = KernelMemory.Frames;
            ulong kb = Paging.PageSize / 1024;
            ulong free = frames.FreeFrames;
            ulong available = free > frames.ReserveFloor ? free - frames.ReserveFloor : 0;
            Line(t, "MemTotal:", (frames.FreeFrames + frames.UsedFrames) * kb);
            Line(t, "MemFree:", free * kb);
            Line(t, "MemAvailable:", available * kb);
            Line(t, "Buffers:", 0);
            Line(t, "Cached:", 0);
            Line(t, "SwapCached:", 0);
            Line(t, "SwapTotal:", 0);
            Line(t, "SwapFree:", 0);
            Line(t, "Shmem:", frames.SharedFrames * kb);
            Line(t, "KReclaimable:", 0);
            Line(t, "Slab:", (ulong)KernelHeap.BytesInUse / 1024);
            Line(t, "SReclaimable:", 0);
            Line(t, "SUnreclaim:", (ulong)KernelHeap.BytesInUse / 1024);
        }

        // "Name:   %8lu kB", as Linux's meminfo lines.
        private static void Line(TextBuffer t, string name, ulong kilobytes)
        {
            t.Put(name);
            for (int i = name.Length; i < 15; i++) t.Put((byte)' ');
            t.Dec(kilobytes, 8);
            t.Put(" kB\n");
        }

        // ---- the CPU -----------------------------------------------------------

        // The CPUs that are up, as Linux's cpulist: "0", or "0-3".
        public static int CpuCount => Cpus.Count < 1 ? 1 : Cpus.Count;

        public static void CpuList(TextBuffer t)
        {
            t.Put((byte)'0');
            if (CpuCount > 1) { t.Put((byte)'-'); t.Dec(CpuCount - 1); }
        }

        // One block per CPU that is up; they are alike but for their numbers.
        private static void Cpuinfo(TextBuffer t)
        {
            for (int cpu = 0; cpu < CpuCount; cpu++) CpuinfoBlock(t, cpu);
        }

        private static void CpuinfoBlock(TextBuffer t, int cpu)
        {
            uint* r = stackalloc uint[4];
            Cpu.CpuId(0, 0, r);
            uint maxLeaf = r[0];
            byte* vendor = stackalloc byte[12];
            *(uint*)vendor = r[1]; *(uint*)(vendor + 4) = r[3]; *(uint*)(vendor + 8) = r[2];
            Cpu.CpuId(1, 0, r);
            uint signature = r[0], ecx1 = r[2], edx1 = r[3];
            uint family = (signature >> 8) & 0xF, model = (signature >> 4) & 0xF;
            if (family == 0xF) family += (signature >> 20) & 0xFF;
            if (family >= 6) model |= ((signature >> 16) & 0xF) << 4;
            t.Put("processor\t: "); t.Dec(cpu);
            t.Put("\nvendor_id\t: "); t.Put(vendor, 12);
            t.Put("\ncpu family\t: "); t.Dec(family);
            t.Put("\nmodel\t\t: "); t.Dec(model);
            t.Put("\nmodel name\t: "); BrandString(t);
            t.Put("\nstepping\t: "); t.Dec(signature & 0xF);
            ulong khz = Clock.TscKiloHertz;
            t.Put("\ncpu MHz\t\t: "); t.Dec(khz / 1000); t.Put((byte)'.');
            t.Put((byte)('0' + (int)(khz % 1000 / 100))); t.Put((byte)('0' + (int)(khz % 100 / 10))); t.Put((byte)('0' + (int)(khz % 10)));
            t.Put("\nphysical id\t: 0\nsiblings\t: "); t.Dec(CpuCount);
            t.Put("\ncore id\t\t: "); t.Dec(cpu);
            t.Put("\ncpu cores\t: "); t.Dec(CpuCount);
            t.Put("\napicid\t\t: "); t.Dec(Cpus.Count > cpu ? Cpus.Get(cpu)->ApicId : 0);
            t.Put("\nfpu\t\t: yes\ncpuid level\t: ");
            t.Dec(maxLeaf);
            t.Put("\nflags\t\t:");
            for (int bit = 0; bit < 32; bit++) if ((edx1 & (1u << bit)) != 0) Flag(t, Leaf1Edx(bit));
            for (int bit = 0; bit < 32; bit++) if ((ecx1 & (1u << bit)) != 0) Flag(t, Leaf1Ecx(bit));
            Cpu.CpuId(0x80000000, 0, r);
            if (r[0] >= 0x80000001)
            {
                Cpu.CpuId(0x80000001, 0, r);
                for (int bit = 0; bit < 32; bit++) if ((r[3] & (1u << bit)) != 0) Flag(t, ExtendedEdx(bit));
            }
            if (maxLeaf >= 7)
            {
                Cpu.CpuId(7, 0, r);
                for (int bit = 0; bit < 32; bit++) if ((r[1] & (1u << bit)) != 0) Flag(t, Leaf7Ebx(bit));
            }
            t.Put("\nbogomips\t: "); t.Dec(khz / 500);
            t.Put("\nclflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 48 bits physical, 48 bits virtual\npower management:\n\n");
        }

        private static void BrandString(TextBuffer t)
        {
            uint* r = stackalloc uint[12];
            Cpu.CpuId(0x80000000, 0, r);
            if (r[0] < 0x80000004) { t.Put("unknown"); return; }
            for (uint leaf = 0; leaf < 3; leaf++) Cpu.CpuId(0x80000002 + leaf, 0, r + leaf * 4);
            byte* s = (byte*)r;
            int start = 0, end = 48;
            while (start < end && s[start] == (byte)' ') start++;
            while (end > start && (s[end - 1] == 0 || s[end - 1] == (byte)' ')) end--;
            t.Put(s + start, end - start);
        }

        private static void Flag(TextBuffer t, string name)
        {
            if (name == null) return;
            t.Put((byte)' ');
            t.Put(name);
        }

        // Linux's names for the feature bits it shows (arch/x86/include/asm/cpufeatures.h).
        private static string Leaf1Edx(int bit) => bit switch
        {
            0 => "fpu", 1 => "vme", 2 => "de", 3 => "pse", 4 => "tsc", 5 => "msr", 6 => "pae", 7 => "mce", 8 => "cx8",
            9 => "apic", 11 => "sep", 12 => "mtrr", 13 => "pge", 14 => "mca", 15 => "cmov", 16 => "pat", 17 => "pse36",
            19 => "clflush", 23 => "mmx", 24 => "fxsr", 25 => "sse", 26 => "sse2", 27 => "ss", 28 => "ht",
            _ => null,
        };

        private static string Leaf1Ecx(int bit) => bit switch
        {
            0 => "pni", 1 => "pclmulqdq", 9 => "ssse3", 12 => "fma", 13 => "cx16", 19 => "sse4_1", 20 => "sse4_2",
            21 => "x2apic", 22 => "movbe", 23 => "popcnt", 25 => "aes", 26 => "xsave", 28 => "avx", 29 => "f16c",
            30 => "rdrand", 31 => "hypervisor",
            _ => null,
        };

        private static string ExtendedEdx(int bit) => bit switch
        {
            11 => "syscall", 20 => "nx", 26 => "pdpe1gb", 27 => "rdtscp", 29 => "lm",
            _ => null,
        };

        private static string Leaf7Ebx(int bit) => bit switch
        {
            0 => "fsgsbase", 3 => "bmi1", 5 => "avx2", 7 => "smep", 8 => "bmi2", 9 => "erms", 18 => "rdseed",
            19 => "adx", 20 => "smap", 23 => "clflushopt", 29 => "sha_ni",
            _ => null,
        };

        // ---- file systems ------------------------------------------------------

        // One line per mount point of the tree (a directory of another file
        // system than its parent's), as getmntent reads them: source, path,
        // type, options, then dump and pass.
        private static void Mounts(TextBuffer t)
        {
            byte* path = stackalloc byte[PathWalk.PathMax];
            ulong flags = Vfs.Lock();
            MountLine(t, Vfs.Root, path);
            MountsUnder(t, Vfs.Root, path);
            Vfs.Unlock(flags);
        }

        private static void MountsUnder(TextBuffer t, Directory dir, byte* path)
        {
            for (Inode e = dir.EntryFrom(0, out int slot); e != null; e = dir.EntryFrom(slot + 1, out slot))
            {
                if (!(e is Directory sub)) continue;
                if (sub.Fs != dir.Fs) MountLine(t, sub, path);
                MountsUnder(t, sub, path);
            }
        }

        private static void MountLine(TextBuffer t, Directory at, byte* path)
        {
            int n = PathWalk.PathOf(at, path, PathWalk.PathMax);
            if (n < 0) return;
            t.Put(at.Fs.Source); t.Put((byte)' ');
            t.Put(path, n); t.Put((byte)' ');
            t.Put(at.Fs.Type); t.Put((byte)' ');
            t.Put(at.Fs.ReadOnly ? "ro" : "rw");
            t.Put(" 0 0\n");
        }

        // The file-system types the tree has, once each ("nodev": none needs a device).
        private static void Filesystems(TextBuffer t)
        {
            ulong flags = Vfs.Lock();
            TypesUnder(t, Vfs.Root);
            Vfs.Unlock(flags);
        }

        private static void TypesUnder(TextBuffer t, Directory dir)
        {
            if (!IsListed(t, dir.Fs.Type)) { t.Put("nodev\t"); t.Put(dir.Fs.Type); t.Put((byte)'\n'); }
            for (Inode e = dir.EntryFrom(0, out int slot); e != null; e = dir.EntryFrom(slot + 1, out slot))
                if (e is Directory sub) TypesUnder(t, sub);
        }

        private static bool IsListed(TextBuffer t, string type)
        {
            // Each line is "nodev\t<type>\n".
            for (int line = 0; line < t.Length;)
            {
                int start = line + 6, end = start;
                while (end < t.Length && t.Bytes[end] != (byte)'\n') end++;
                if (end - start == type.Length)
                {
                    bool same = true;
                    for (int i = 0; i < type.Length && same; i++) same = t.Bytes[start + i] == (byte)type[i];
                    if (same) return true;
                }
                line = end + 1;
            }
            return false;
        }

        // ---- time and load -----------------------------------------------------

        // Seconds since boot, and the idle time (not kept: 0).
        private static void Uptime(TextBuffer t)
        {
            t.Centi(Clock.NowNanoseconds / 10_000_000);
            t.Put(" 0.00\n");
        }

        // Load averages are not kept (zeros); runnable/all threads; the last id given.
        private static void Loadavg(TextBuffer t)
        {
            int runnable = 0, all = 0;
            ulong flags = Scheduler.Lock();
            for (Thread th = Scheduler.AllThreads; th != null; th = th.NextAll)
            {
                if (th.Process == null) continue;
                all++;
                if (th.State == ThreadState.Running || th.State == ThreadState.Runnable) runnable++;
            }
            int last = Scheduler.NextId - 1;
            Scheduler.Unlock(flags);
            t.Put("0.00 0.00 0.00 ");
            t.Dec(runnable); t.Put((byte)'/'); t.Dec(all); t.Put((byte)' ');
            t.Dec(last); t.Put((byte)'\n');
        }

        // CPU times are not kept: the cpu lines are zeros, one per CPU that is up; ctxt counts thread switches.
        private static void SystemStat(TextBuffer t)
        {
            int runnable = 0, blocked = 0;
            ulong flags = Scheduler.Lock();
            for (Thread th = Scheduler.AllThreads; th != null; th = th.NextAll)
            {
                if (th.Process == null) continue;
                if (th.State == ThreadState.Running || th.State == ThreadState.Runnable) runnable++;
            }
            int last = Scheduler.NextId - 1;
            Scheduler.Unlock(flags);
            t.Put("cpu  0 0 0 0 0 0 0 0 0 0\n");
            for (int cpu = 0; cpu < CpuCount; cpu++) { t.Put("cpu"); t.Dec(cpu); t.Put(" 0 0 0 0 0 0 0 0 0 0\n"); }
            t.Put("intr 0\nctxt ");
            t.Dec(Scheduler.Switches);
            t.Put("\nbtime ");
            t.Dec(SysTime.BootRealtimeNs / 1_000_000_000);
            t.Put("\nprocesses "); t.Dec(last);
            t.Put("\nprocs_running "); t.Dec(runnable);
            t.Put("\nprocs_blocked "); t.Dec(blocked);
            t.Put((byte)'\n');
        }

        private static void Version(TextBuffer t)
        {
            t.Put("Linux version 6.1.0-stickyos-"); t.Put(Kernel.Version);
            t.Put(" (stickyos) #1 stickyos "); t.Put(Kernel.Version);
            t.Put((byte)'\n');
        }
    }
}
