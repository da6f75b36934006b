using System.Runtime;
using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Proc;

namespace Sticky.Sys
{
    // The C# side of `syscall` (asm/syscall.asm): Linux x86-64 numbers and
    // registers (rax = number; rdi, rsi, rdx, r10, r8, r9 = arguments; rax =
    // result, -errno on failure). Unknown numbers return -ENOSYS and are
    // logged once each; nothing a program passes can panic the kernel.
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
            ulong a0 = f->Rdi, a1 = f->Rsi, a2 = f->Rdx, a3 = f->R10, a4 = f->R8;
            switch (nr)
            {
                case Nr.Read: return SysIo.Read((int)a0, a1, a2);
                case Nr.Write: return SysIo.Write((int)a0, a1, a2);
                case Nr.Close: return SysIo.Close((int)a0);
                case Nr.Readv: return SysIo.Readv((int)a0, a1, (int)a2);
                case Nr.Writev: return SysIo.Writev((int)a0, a1, (int)a2);
                case Nr.Ioctl: return SysIo.Ioctl((int)a0, a1, a2);
                case Nr.Lseek: return SysIo.Lseek((int)a0);
                case Nr.Pipe: return SysIo.Pipe2(a0, 0);
                case Nr.Pipe2: return SysIo.Pipe2(a0, (int)a1);

                case Nr.Mmap: return SysMemory.Mmap(a0, a1, (int)a2, (int)a3, (int)a4, f->R9);
                case Nr.Munmap: return SysMemory.Munmap(a0, a1);
                case Nr.Mprotect: return SysMemory.Mprotect(a0, a1, (int)a2);
                case Nr.Brk: return SysMemory.Brk(a0);
                case Nr.Madvise: return 0;   // advice only; nothing to do without swap or huge pages

                case Nr.Getpid: return Processes.Current.Pid;
                case Nr.Gettid: return Scheduler.Current.Id;
                case Nr.Getppid: return SysProcess.Getppid();
                case Nr.SetTidAddress: Scheduler.Current.ClearChildTid = a0; return Scheduler.Current.Id;
                case Nr.ArchPrctl: return SysProcess.ArchPrctl((int)a0, a1);
                case Nr.Exit: Processes.ExitThread((int)a0); return 0;
                case Nr.ExitGroup: Processes.Kill(Processes.Current, ((int)a0 & 0xFF) << 8); Processes.ExitThread(0); return 0;
                case Nr.Fork: return SysProcess.Fork(f, 0, 0, 0);
                case Nr.Clone: return SysProcess.Clone(f, a0, a1, a2, a3, a4);
                case Nr.Execve: return SysProcess.Execve(f, a0, a1, a2);
                case Nr.Wait4: return SysProcess.Wait4((int)a0, a1, (int)a2, a3);
                case Nr.Kill: return SysProcess.Kill((int)a0, (int)a1);
                case Nr.Tkill: return SysProcess.Tkill((int)a0, (int)a1);
                case Nr.Tgkill: return SysProcess.Kill((int)a0, (int)a2);

                case Nr.Futex: return Futexes.Syscall(a0, (int)a1, (uint)a2, a3, a4, (uint)f->R9);

                case Nr.Nanosleep: return SysTime.Nanosleep(a0, a1);
                case Nr.ClockNanosleep: return SysTime.ClockNanosleep((int)a0, (int)a1, a2, a3);
                case Nr.ClockGettime: return SysTime.ClockGettime((int)a0, a1);
                case Nr.ClockGetres: return SysTime.ClockGetres((int)a0, a1);
                case Nr.SchedYield: Scheduler.Yield(); return 0;

                case Nr.Uname: return SysMisc.Uname(a0);
                case Nr.RtSigprocmask: return SysMisc.Sigprocmask(a2, a3);
                case Nr.RtSigaction: return SysMisc.Sigaction(a2, a3);
                case Nr.Getuid: case Nr.Getgid: case Nr.Geteuid: case Nr.Getegid: return 0;   // everyone is root
                case Nr.SetRobustList: return 0;   // no robust futexes: a dying owner's locks are not released
                case Nr.StickyAccounting: SysMisc.PrintAccounting(); return 0;
                default: return Unimplemented(nr);
            }
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
            string name = SyscallNames.Of(nr);
            if (name != null) { Console.Write(" ("); Console.Write(name); Console.Write(")"); }
            Console.Write(" is not implemented: ENOSYS (pid ");
            Console.Dec(Processes.Current.Pid);
            Console.Write(slot == 1023 ? "; reported once for all numbers from 1023)" : "; reported once)");
            Log.End();
            return -Errno.ENOSYS;
        }
    }
}
