using Sticky.Exec;
using Sticky.Fs;
using Sticky.Mm;
using Sticky.Signal;
using Sticky.Arch;

namespace Sticky.Proc
{
    // The files of /proc/<pid>: stat, status, cmdline, comm, maps, in
    // Linux's formats (what ps, top and glibc's pthread_getattr_np read).
    //
    // Two steps, as the locks allow: the process's address space is taken
    // under the scheduler lock as a user of it (as a vfork child is), so it
    // outlives a teardown or exec meanwhile, and then read under its own
    // sleeping lock (regions, sizes, argv's pages: mmap and munmap on other
    // CPUs wait); the rest is read under the scheduler lock, which keeps the
    // process in the table (docs/locking.md).
    public static unsafe class ProcProcessText
    {
        private const int ClockTicksPerSecond = 100;   // what times(2) and sysconf(_SC_CLK_TCK) say
        private const int TtyConsole = (5 << 8) | 1;   // /dev/console's device number, in stat's tty_nr encoding

        // What is read from the address space, under its lock.
        private struct SpaceFacts
        {
            public bool HasSpace;
            public ulong VirtualBytes, ResidentPages;
        }

        // False when there is no process `pid` (any more).
        public static bool Make(ProcNode node, int pid, TextBuffer t)
        {
            // Step 1: hold the space; what step 2 needs of the process besides.
            ulong flags = Scheduler.Lock();
            Process p = Processes.FindLocked(pid);
            AddressSpace<DirectMap, CpuTlb> space = p != null && node != ProcNode.Comm ? p.Space : null;
            if (space != null) space.AddUser();   // p.Space is cleared before its user goes, under this lock
            ulong argStart = p != null ? p.ArgStart : 0, argEnd = p != null ? p.ArgEnd : 0;
            ulong brkStart = p != null ? p.BrkStart : 0, brk = p != null ? p.Brk : 0;
            byte[] exe = p != null && node == ProcNode.Maps ? CopyOf(p.ExePath) : null;
            Scheduler.Unlock(flags);
            if (p == null) return false;

            // Step 2: the space, under its lock.
            var facts = new SpaceFacts();
            if (space != null)
            {
                space.Tlb.State.Lock.Acquire();
                facts.HasSpace = true;
                for (int i = 0; i < space.RegionCount; i++) facts.VirtualBytes += space.RegionAt(i).Length;
                facts.ResidentPages = space.ResidentPages;
                if (node == ProcNode.Cmdline) Cmdline(space, argStart, argEnd, t);
                if (node == ProcNode.Maps) Maps(space, brkStart, brk, exe, t);
                space.Tlb.State.Lock.Release();
                Processes.DropSpace(space);
            }
            if (exe != null) KernelHeap.Free(exe);
            if (node == ProcNode.Cmdline || node == ProcNode.Maps) return true;

            // Step 3: the rest, under the scheduler lock.
            flags = Scheduler.Lock();
            p = Processes.FindLocked(pid);
            if (p != null)
            {
                switch (node)
                {
                    case ProcNode.Stat: Stat(p, facts, t); break;
                    case ProcNode.Status: Status(p, facts, t); break;
                    case ProcNode.Comm: t.Put(p.Name, p.NameLength); t.Put((byte)'\n'); break;
                }
            }
            Scheduler.Unlock(flags);
            return p != null;
        }

        private static byte[] CopyOf(byte[] a)
        {
            if (a == null) return null;
            var copy = new byte[a.Length];
            for (int i = 0; i < a.Length; i++) copy[i] = a[i];
            return copy;
        }

        // R while a thread runs or may, S while all sleep, Z once it has exited.
        private static byte State(Process p)
        {
            if (p.State == ProcessState.Zombie) return (byte)'Z';
            for (Thread th = p.FirstThread; th != null; th = th.NextInProcess)
                if (th.State == ThreadState.Running || th.State == ThreadState.Runnable) return (byte)'R';
            return (byte)'S';
        }

        private static ulong Pending(Process p) =>
            p.SharedPending.Set | (p.FirstThread != null ? p.FirstThread.SigPending.Set : 0);

        private static ulong Blocked(Process p) => p.FirstThread != null ? p.FirstThread.SigBlocked : 0;

        private static ulong Ignored(Process p)
        {
            ulong set = 0;
            for (int sig = 1; sig <= SigSet.Count; sig++) if (p.Actions[sig].IsIgnore) set |= SigSet.Of(sig);
            return set;
        }

        private static ulong Caught(Process p)
        {
            ulong set = 0;
            for (int sig = 1; sig <= SigSet.Count; sig++)
                if (!p.Actions[sig].IsIgnore && !p.Actions[sig].IsDefault) set |= SigSet.Of(sig);
            return set;
        }

        // proc(5)'s 52 fields; the CPU times and fault counts are not kept (0).
        private static void Stat(Process p, SpaceFacts space, TextBuffer t)
        {
            bool onTerminal = p.Sid != 0 && p.Sid == Sticky.Tty.Terminal.SessionLocked;
            Field(t, p.Pid);
            t.Put(" ("); t.Put(p.Name, p.NameLength); t.Put(") ");
            t.Put(State(p));
            Field(t, p.Parent != null ? p.Parent.Pid : 0);
            Field(t, p.Pgid);
            Field(t, p.Sid);
            Field(t, onTerminal ? TtyConsole : 0);
            Field(t, onTerminal ? Sticky.Tty.Terminal.ForegroundLocked : -1);
            for (int i = 0; i < 5; i++) Field(t, 0);                 // flags, minflt, cminflt, majflt, cmajflt
            for (int i = 0; i < 4; i++) Field(t, 0);                 // utime, stime, cutime, cstime
            Field(t, 20 + p.Nice);                                   // priority
            Field(t, p.Nice);
            Field(t, p.LiveThreads);
            Field(t, 0);                                             // itrealvalue
            Field(t, (long)(p.StartedNs / (1_000_000_000UL / ClockTicksPerSecond)));
            Field(t, (long)space.VirtualBytes);
            Field(t, (long)space.ResidentPages);
            t.Put((byte)' '); t.Dec(p.Limits.Soft(ResourceLimits.RSS));
            for (int i = 0; i < 5; i++) Field(t, 0);                 // startcode, endcode, startstack, kstkesp, kstkeip
            t.Put((byte)' '); t.Dec(Pending(p));
            t.Put((byte)' '); t.Dec(Blocked(p));
            t.Put((byte)' '); t.Dec(Ignored(p));
            t.Put((byte)' '); t.Dec(Caught(p));
            for (int i = 0; i < 3; i++) Field(t, 0);                 // wchan, nswap, cnswap
            Field(t, p.ExitSignal);
            Field(t, 0);                                             // processor
            Field(t, p.FirstThread != null ? p.FirstThread.SchedPriority : 0);
            Field(t, p.FirstThread != null ? p.FirstThread.SchedPolicy : 0);
            for (int i = 0; i < 3; i++) Field(t, 0);                 // delayacct, guest_time, cguest_time
            for (int i = 0; i < 2; i++) Field(t, 0);                 // start_data, end_data
            Field(t, (long)p.BrkStart);
            Field(t, (long)p.ArgStart);
            Field(t, (long)p.ArgEnd);
            Field(t, (long)p.ArgEnd);                                // env_start: the environment follows argv
            Field(t, (long)ProgramLoader.StackTop);                  // env_end: at most the stack's top
            Field(t, p.State == ProcessState.Zombie ? p.WaitStatus : 0);
            t.Put((byte)'\n');
        }

        private static void Field(TextBuffer t, long value)
        {
            if (t.Length > 0 && t.Bytes[t.Length - 1] != (byte)' ') t.Put((byte)' ');
            t.Dec(value);
        }

        private static void Status(Process p, SpaceFacts space, TextBuffer t)
        {
            byte state = State(p);
            t.Put("Name:\t"); t.Put(p.Name, p.NameLength);
            t.Put("\nUmask:\t"); Octal(t, p.Umask);
            t.Put("\nState:\t"); t.Put(state);
            t.Put(state == (byte)'Z' ? " (zombie)" : state == (byte)'R' ? " (running)" : " (sleeping)");
            t.Put("\nTgid:\t"); t.Dec(p.Pid);
            t.Put("\nNgid:\t0\nPid:\t"); t.Dec(p.Pid);
            t.Put("\nPPid:\t"); t.Dec(p.Parent != null ? p.Parent.Pid : 0);
            t.Put("\nTracerPid:\t0\nUid:\t"); Ids(t, p.Creds.Uid, p.Creds.Euid, p.Creds.Suid, p.Creds.Fsuid);
            t.Put("\nGid:\t"); Ids(t, p.Creds.Gid, p.Creds.Egid, p.Creds.Sgid, p.Creds.Fsgid);
            t.Put("\nFDSize:\t"); t.Dec(Sticky.Io.FileTable.Capacity);
            t.Put("\nGroups:\t");
            fixed (int* groups = p.Creds.Groups)
                for (int i = 0; i < p.Creds.GroupCount; i++) { t.Dec(groups[i]); t.Put((byte)' '); }
            t.Put("\nNStgid:\t"); t.Dec(p.Pid);
            t.Put("\nNSpid:\t"); t.Dec(p.Pid);
            t.Put("\nNSpgid:\t"); t.Dec(p.Pgid);
            t.Put("\nNSsid:\t"); t.Dec(p.Sid);
            if (space.HasSpace && p.State == ProcessState.Alive)
            {
                t.Put("\nVmSize:\t"); t.Dec(space.VirtualBytes / 1024, 8); t.Put(" kB");
                t.Put("\nVmRSS:\t"); t.Dec(space.ResidentPages * (Paging.PageSize / 1024), 8); t.Put(" kB");
            }
            t.Put("\nThreads:\t"); t.Dec(p.LiveThreads);
            t.Put("\nSigQ:\t0/128\nSigPnd:\t"); t.Hex(p.FirstThread != null ? p.FirstThread.SigPending.Set : 0, 16);
            t.Put("\nShdPnd:\t"); t.Hex(p.SharedPending.Set, 16);
            t.Put("\nSigBlk:\t"); t.Hex(Blocked(p), 16);
            t.Put("\nSigIgn:\t"); t.Hex(Ignored(p), 16);
            t.Put("\nSigCgt:\t"); t.Hex(Caught(p), 16);
            t.Put("\nCpus_allowed:\t"); t.Hex(Sticky.Sys.SysStartup.OnlineCpuMask, 1);
            t.Put("\nCpus_allowed_list:\t"); ProcText.CpuList(t);
            t.Put("\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
        }

        private static void Ids(TextBuffer t, int real, int effective, int saved, int fs)
        {
            t.Dec(real); t.Put((byte)'\t'); t.Dec(effective); t.Put((byte)'\t'); t.Dec(saved); t.Put((byte)'\t'); t.Dec(fs);
        }

        private static void Octal(TextBuffer t, uint value)
        {
            for (int shift = 9; shift >= 0; shift -= 3) t.Put((byte)('0' + (int)((value >> shift) & 7)));
        }

        // argv as exec left it in the process's memory, NUL after each; empty for a zombie. Space lock held.
        private static void Cmdline(AddressSpace<DirectMap, CpuTlb> space, ulong argStart, ulong argEnd, TextBuffer t)
        {
            if (argEnd <= argStart) return;
            for (ulong at = argStart; at < argEnd;)
            {
                ulong pageEnd = (at & ~(Paging.PageSize - 1)) + Paging.PageSize;
                ulong end = pageEnd < argEnd ? pageEnd : argEnd;
                if (!space.Table.Translate(new VirtualAddress(at), out PhysicalAddress physical, out _)) return;
                byte* bytes = default(DirectMap).Map(physical);
                t.Put(bytes, (int)(end - at));
                at = end;
            }
        }

        // One line per region: range, rwxp (s for shared), offset, device,
        // inode, and a name: the executable for the regions below the heap
        // (its segments), [heap], [stack]. A file's MAP_SHARED region has no name.
        private static void Maps(AddressSpace<DirectMap, CpuTlb> space, ulong brkStart, ulong brk, byte[] exe, TextBuffer t)
        {
            for (int i = 0; i < space.RegionCount; i++)
            {
                Region r = space.RegionAt(i);
                t.Hex(r.Start.Value, 8); t.Put((byte)'-'); t.Hex(r.End.Value, 8); t.Put((byte)' ');
                t.Put((r.Protection & Protection.Read) != 0 ? (byte)'r' : (byte)'-');
                t.Put((r.Protection & Protection.Write) != 0 ? (byte)'w' : (byte)'-');
                t.Put((r.Protection & Protection.Execute) != 0 ? (byte)'x' : (byte)'-');
                t.Put(r.IsShared ? (byte)'s' : (byte)'p');
                t.Put(" 00000000 00:00 0");
                if (r.End.Value <= brkStart && exe != null) { t.PadTo(73); t.Put(exe, exe.Length); }
                else if (r.Start.Value == brkStart && brk > brkStart) { t.PadTo(73); t.Put("[heap]"); }
                else if (r.Start.Value < ProgramLoader.StackTop && ProgramLoader.StackTop <= r.End.Value) { t.PadTo(73); t.Put("[stack]"); }
                t.Put((byte)'\n');
            }
        }
    }
}
