using System.Runtime;
using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Proc;

namespace Sticky.Sys
{
    // The C# side of `syscall` (asm/syscall.asm): Linux x86-64 numbers and
    // registers (rax = number; rdi, rsi, rdx, r10, r8, r9 = arguments; rax =
    // result, -errno on failure), dispatched through SyscallTable. Numbers
    // without a handler return -ENOSYS and are logged once each, by name;
    // nothing a program passes can panic the kernel.
    public static unsafe class Syscalls
    {
        private struct Bitmap { public fixed ulong Bits[1024 / 64]; }
        private static Bitmap _reported;

        // Returns with interrupts off (nothing can change the frame or the flag
        // until the return), and 1 if this thread must leave with iretq whatever
        // its frame looks like (Thread.ReturnViaIret); asm/syscall.asm checks the
        // frame itself.
        [RuntimeExport("syscall_dispatch")]
        private static ulong Dispatch(TrapFrame* f)
        {
            Cpu.EnableInterrupts();
            ulong nr = f->Rax;
            f->ErrorCode = nr;   // the call's number, for a restart after a signal (Linux's orig_ax)
            long result = SyscallTrace.Enabled ? SyscallTrace.Call(nr, f) : Invoke(nr, f);
            f->Rax = (ulong)result;
            Processes.OnReturnToUser(f);   // the same check an interrupt's return makes
            Cpu.DisableInterrupts();
            Thread t = Scheduler.Current;
            if (!t.ReturnViaIret) return 0;
            t.ReturnViaIret = false;
            return 1;
        }

        public static long Invoke(ulong nr, TrapFrame* f)
        {
            delegate*<TrapFrame*, long> handler = SyscallTable.HandlerOf(nr);
            return handler != null ? handler(f) : Unimplemented(nr);
        }

        private static long Unimplemented(ulong nr)
        {
            // One bit per number below 1023; every larger number shares the last bit,
            // so no number, however large, is reported twice.
            ulong slot = nr < 1023 ? nr : 1023;
            fixed (ulong* bits = _reported.Bits)
            {
                ulong bit = 1UL << (int)(slot % 64);
                if ((bits[slot / 64] & bit) != 0) return -Errno.ENOSYS;
                bits[slot / 64] |= bit;
            }
            if (!Log.On(Subsystem.Syscall, Level.Warn)) return -Errno.ENOSYS;
            Log.Begin(Subsystem.Syscall, Level.Warn);
            Console.Dec((long)nr);
            if (SyscallTable.HasName(nr))
            {
                Console.Write(" (");
                SyscallTable.WriteName(nr);
                Console.Write(")");
            }
            Console.Write(" is not implemented: ENOSYS (pid ");
            Console.Dec(Processes.Current.Pid);
            Console.Write(slot == 1023 ? "; reported once for all numbers from 1023)" : "; reported once)");
            Log.End();
            return -Errno.ENOSYS;
        }
    }
}
