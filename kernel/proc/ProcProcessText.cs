using Sticky.Exec;
using Sticky.Fs;
using Sticky.Mm;
using Sticky.Signal;

namespace Sticky.Proc
{
    // The files of /proc/<pid>: stat, status, cmdline, comm, maps, in
    // Linux's formats (what ps, top and glibc's pthread_getattr_np read).
    //
    // Made under the scheduler lock, which keeps the process in the table;
    // its regions and memory are read with interrupts off, so on one CPU
    // neither its mmap nor its teardown can run meanwhile. SMP needs a hold
    // on the address space and its lock instead.
    public static unsafe class ProcProcessText
    {
        private const int ClockTicksPerSecond = 100;   // what times(2) and sysconf(_SC_CLK_TCK) say
        private const int TtyConsole = (5 << 8) | 1;   // /dev/console's device number, in stat's tty_nr encoding

        // False when there is no process `pid` (any more).
        public static bool Make(ProcNode node, int pid, TextBuffer t)
        {
            ulong flags = Scheduler.Lock();
            Process p = Processes.FindLocked(pid);
            if (p != null)
            {
                switch (node)
                {
                    case ProcNode.Stat: Stat(p, t); break;
                    case ProcNode.Status: Status(p, t); break;
                    case ProcNode.Cmdline: Cmdline(p, t); break;
                    case ProcNode.Comm: t.Put(p.Name, p.NameLength); t.Put((byte)'\n'); break;
                    case ProcNode.Maps: Maps(p, t); break;
                }
            }
            Scheduler.Unlock(flags);
            return p != null;
        }

        // R while a thread runs or may, S while all sleep, Z once it has exited.
        private static byte State(Process p)
        {
            if (p.State == ProcessState.Zombie) return (byte)'Z';
            for (Thread th = p.FirstThread; th != null; th = th.NextInProcess)
                if (th.State == ThreadState.Running || th.State == ThreadState.Runnable) return (byte)'R';
            return (byte)'S';
        }

        private static ulong VirtualBytes(Process p)
        {
            ulong bytes = 0;
            if (p.Space == null) return 0;
            for (int i = 0; i < p.Space.RegionCount; i++) bytes += p.Space.RegionAt(i).Length;
            return bytes;
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
        private static void Stat(Process p, TextBuffer t)
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
            Field(t, (long)VirtualBytes(p));
            Field(t, p.Space != null ? (long)p.Space.ResidentPages : 0);
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

        private static void Status(Process p, TextBuffer t)
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
            if (p.Space != null)
            {
                t.Put("\nVmSize:\t"); t.Dec(VirtualBytes(p) / 1024, 8); t.Put(" kB");
                t.Put("\nVmRSS:\t"); t.Dec(p.Space.ResidentPages * (Paging.PageSize / 1024), 8); t.Put(" kB");
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

        // argv as exec left it in the process's memory, NUL after each; empty for a zombie.
        private static void Cmdline(Process p, TextBuffer t)
        {
            if (p.Space == null || p.ArgEnd <= p.ArgStart) return;
            for (ulong at = p.ArgStart; at < p.ArgEnd;)
            {
                ulong pageEnd = (at & ~(Paging.PageSize - 1)) + Paging.PageSize;
                ulong end = pageEnd < p.ArgEnd ? pageEnd : p.ArgEnd;
                if (!p.Space.Table.Translate(new VirtualAddress(at), out PhysicalAddress physical, out _)) return;
                byte* bytes = default(DirectMap).Map(physical);
                t.Put(bytes, (int)(end - at));
                at = end;
            }
        }

        // One line per region: range, rwxp (s for shared), offset, device,
        // inode, and a name: the executable for the regions below the heap
        // (its segments), [heap], [stack]. A file's MAP_SHARED region has no name.
        private static void Maps(Process p, TextBuffer t)
        {
            if (p.Space == null) return;
            for (int i = 0; i < p.Space.RegionCount; i++)
            {
                Region r = p.Space.RegionAt(i);
                t.Hex(r.Start.Value, 8); t.Put((byte)'-'); t.Hex(r.End.Value, 8); t.Put((byte)' ');
                t.Put((r.Protection & Protection.Read) != 0 ? (byte)'r' : (byte)'-');
                t.Put((r.Protection & Protection.Write) != 0 ? (byte)'w' : (byte)'-');
                t.Put((r.Protection & Protection.Execute) != 0 ? (byte)'x' : (byte)'-');
                t.Put(r.IsShared ? (byte)'s' : (byte)'p');
                t.Put(" 00000000 00:00 0");
                if (r.End.Value <= p.BrkStart && p.ExePath != null) { t.PadTo(73); t.Put(p.ExePath, p.ExePath.Length); }
                else if (r.Start.Value == p.BrkStart && p.Brk > p.BrkStart) { t.PadTo(73); t.Put("[heap]"); }
                else if (r.Start.Value < ProgramLoader.StackTop && ProgramLoader.StackTop <= r.End.Value) { t.PadTo(73); t.Put("[stack]"); }
                t.Put((byte)'\n');
            }
        }
    }
}
