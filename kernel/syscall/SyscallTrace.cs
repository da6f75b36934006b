using Sticky.Arch;
using Sticky.Debug;
using Sticky.Platform;
using Sticky.Proc;
using Sticky.Time;

namespace Sticky.Sys
{
    // strace in the kernel. `trace=all`, `trace=<pid>` or `trace=<name>` on
    // the command line prints one line per syscall of the matching processes:
    //   trace: [3/5] futex(0x7fffffffe9c0, FUTEX_WAIT_PRIVATE, 0, NULL) = -1 ETIMEDOUT <2001234 us>
    // Off by default, and then free: Dispatch tests one bool.
    public static unsafe class SyscallTrace
    {
        public static bool Enabled;
        private static int _pid;                 // 0: any
        private static byte* _name; private static int _nameLength;   // null: any

        public static void Init(CommandLine* commandLine)
        {
            if (!commandLine->TryGet("trace", out byte* value, out int length) || length == 0) return;
            Enabled = true;
            if (CommandLine.Matches(value, length, "all")) return;
            int pid = 0;
            bool numeric = true;
            for (int i = 0; i < length; i++)
            {
                if (value[i] < (byte)'0' || value[i] > (byte)'9') { numeric = false; break; }
                pid = pid * 10 + (value[i] - '0');
            }
            if (numeric) _pid = pid; else { _name = value; _nameLength = length; }
        }

        public static long Call(ulong nr, TrapFrame* f)
        {
            if (!Matches(Processes.Current)) return Syscalls.Invoke(nr, f);
            // exit and execve never return (or replace the frame): print the call first.
            ulong a0 = f->Rdi, a1 = f->Rsi, a2 = f->Rdx, a3 = f->R10, a4 = f->R8, a5 = f->R9;
            bool early = nr == Nr.Exit || nr == Nr.ExitGroup || nr == Nr.Execve;
            if (early)
            {
                ulong irqEarly = Cpu.SaveAndDisableInterrupts();
                Begin(nr, a0, a1, a2, a3, a4, a5);
                Console.WriteLine(" ...");
                Cpu.RestoreInterrupts(irqEarly);
            }
            ulong start = Clock.NowNanoseconds;
            long result = Syscalls.Invoke(nr, f);
            ulong took = Clock.NowNanoseconds - start;
            // One line at a time: no preemption (and no other thread's line) in the middle.
            ulong irq = Cpu.SaveAndDisableInterrupts();
            if (early) Console.Write("trace: ...");
            else Begin(nr, a0, a1, a2, a3, a4, a5);
            Console.Write(" = ");
            WriteResult(nr, result);
            Console.Write(" <");
            Console.Dec((long)(took / 1000));
            Console.WriteLine(" us>");
            Cpu.RestoreInterrupts(irq);
            return result;
        }

        private static bool Matches(Process p)
        {
            if (_pid != 0) return p.Pid == _pid;
            if (_name == null) return true;
            if (p.NameLength != _nameLength) return false;
            for (int i = 0; i < _nameLength; i++) if (p.Name[i] != _name[i]) return false;
            return true;
        }

        private static void Begin(ulong nr, ulong a0, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
        {
            Console.Write("trace: [");
            Console.Dec(Processes.Current.Pid);
            Console.Write("/");
            Console.Dec(Scheduler.Current.Id);
            Console.Write("] ");
            string name = SyscallNames.Of(nr);
            if (name != null) Console.Write(name); else { Console.Write("syscall_"); Console.Dec((long)nr); }
            Console.Write("(");
            string kinds = ArgumentKinds(nr, a1);
            ulong* args = stackalloc ulong[6];
            args[0] = a0; args[1] = a1; args[2] = a2; args[3] = a3; args[4] = a4; args[5] = a5;
            for (int i = 0; i < kinds.Length; i++)
            {
                if (i > 0) Console.Write(", ");
                TraceFormat.Argument(kinds[i], args[i], a1);
            }
            Console.Write(")");
        }

        private static void WriteResult(ulong nr, long result)
        {
            if (result < 0 && result >= -4095)
            {
                Console.Write("-1 ");
                string e = Errno.Name((int)-result);
                if (e != null) Console.Write(e); else Console.Dec(-result);
                return;
            }
            bool address = nr == Nr.Mmap || nr == Nr.Brk;
            if (address) Console.Address((ulong)result); else Console.Dec(result);
        }

        private static string FutexArguments(int command)
        {
            switch (command)
            {
                case 0: return "pFdT";          // WAIT: relative timeout
                case 1: return "pFd";           // WAKE
                case 3: return "pFddp";         // REQUEUE: nr_requeue travels in the timeout slot
                case 4: return "pFddpd";        // CMP_REQUEUE
                case 5: return "pFddpx";        // WAKE_OP
                case 9: return "pFdTpx";        // WAIT_BITSET: absolute deadline, bitset
                case 10: return "pFdppx";       // WAKE_BITSET
                default: return "pFxxxx";
            }
        }

        // One letter per argument: d decimal, x hex, p pointer, s user string,
        // F futex op, P mmap prot, M mmap flags, C clone flags, W wait options,
        // A arch_prctl code, K clock id, S signal, T timespec pointer.
        private static string ArgumentKinds(ulong nr, ulong a1)
        {
            switch (nr)
            {
                case Nr.Read: case Nr.Write: return "dpd";
                case Nr.Close: return "d";
                case Nr.Readv: case Nr.Writev: return "dpd";
                case Nr.Ioctl: return "dxp";
                case Nr.Lseek: return "ddd";
                case Nr.Pipe: return "p";
                case Nr.Pipe2: return "px";
                case Nr.Mmap: return "pxPMdx";
                case Nr.Munmap: return "px";
                case Nr.Mprotect: return "pxP";
                case Nr.Brk: return "p";
                case Nr.Madvise: return "pxd";
                case Nr.Getpid: case Nr.Gettid: case Nr.Getppid: case Nr.Fork: case Nr.Vfork: case Nr.SchedYield:
                case Nr.Getuid: case Nr.Getgid: case Nr.Geteuid: case Nr.Getegid: return "";
                case Nr.SetTidAddress: return "p";
                case Nr.ArchPrctl: return "Ap";
                case Nr.Exit: case Nr.ExitGroup: return "d";
                case Nr.Clone: return "Cpppp";
                case Nr.Execve: return "spp";
                case Nr.Wait4: return "dpWp";
                case Nr.Kill: return "dS";
                case Nr.Tkill: return "dS";
                case Nr.Tgkill: return "ddS";
                case Nr.Setpgid: return "dd";
                case Nr.Getpgid: case Nr.Getsid: return "d";
                case Nr.Getpgrp: case Nr.Setsid: return "";
                case Nr.Futex: return FutexArguments((int)a1 & ~(128 | 256));
                case Nr.Nanosleep: return "Tp";
                case Nr.ClockNanosleep: return "KdTp";
                case Nr.ClockGettime: case Nr.ClockGetres: return "Kp";
                case Nr.Uname: return "p";
                case Nr.RtSigprocmask: return "dppd";
                case Nr.RtSigaction: return "Sppd";
                case Nr.SetRobustList: return "pd";
                case Nr.StickyAccounting: return "";
                default: return "xxxxxx";
            }
        }
    }
}
