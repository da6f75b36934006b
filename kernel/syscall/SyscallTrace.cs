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
            Syscall* row = SyscallTable.Find(nr);
            SyscallTraits traits = row != null ? row->Traits : SyscallTraits.None;
            bool early = (traits & SyscallTraits.TraceFirst) != 0;
            if (early)
            {
                ulong irqEarly = Console.Lock();
                Begin(nr, a0, a1, a2, a3, a4, a5);
                Console.WriteLine(" ...");
                Console.Unlock(irqEarly);
            }
            ulong start = Clock.NowNanoseconds;
            long result = Syscalls.Invoke(nr, f);
            ulong took = Clock.NowNanoseconds - start;
            // One line at a time: no preemption (and no other thread's or CPU's line) in the middle.
            ulong irq = Console.Lock();
            if (early) Console.Write("trace: ...");
            else Begin(nr, a0, a1, a2, a3, a4, a5);
            Console.Write(" = ");
            WriteResult(result, (traits & SyscallTraits.ReturnsAddress) != 0);
            Console.Write(" <");
            Console.Dec((long)(took / 1000));
            Console.WriteLine(" us>");
            Console.Unlock(irq);
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
            if (!SyscallTable.WriteName(nr)) { Console.Write("syscall_"); Console.Dec((long)nr); }
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

        private static void WriteResult(long result, bool address)
        {
            if (result < 0 && result >= -4095)
            {
                Console.Write("-1 ");
                string e = Errno.Name((int)-result);
                if (e != null) Console.Write(e); else Console.Dec(-result);
                return;
            }
            if (address) Console.Address((ulong)result); else Console.Dec(result);
        }

        // The row's kinds (TraceFormat.Argument); six hex words for a call without a row.
        private static string ArgumentKinds(ulong nr, ulong a1)
        {
            Syscall* row = SyscallTable.Find(nr);
            if (row == null || row->Handler == null) return "xxxxxx";
            return row->ArgumentsOf != null ? row->ArgumentsOf(a1) : row->Arguments;
        }
    }
}
