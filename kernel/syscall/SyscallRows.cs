using Sticky.Arch;
using Sticky.Proc;

namespace Sticky.Sys
{
    // The list: one row per implemented call, in number order (Linux x86-64
    // numbers), then one adapter per row that takes the call's arguments from
    // the registers (rdi, rsi, rdx, r10, r8, r9). Trace argument kinds:
    // TraceFormat.Argument. docs/syscalls.md has a line per row, which
    // tools/syscall-docs checks (`make test`, docs suite).
    public static unsafe partial class SyscallTable
    {
        private static void AddRows()
        {
            Row(0, "read", &Read, "dpd");
            Row(1, "write", &Write, "dpd");
            Row(3, "close", &Close, "d");
            Row(8, "lseek", &Lseek, "ddd");
            Row(9, "mmap", &Mmap, "pxPMdx", SyscallTraits.ReturnsAddress);
            Row(10, "mprotect", &Mprotect, "pxP");
            Row(11, "munmap", &Munmap, "px");
            Row(12, "brk", &Brk, "p", SyscallTraits.ReturnsAddress);
            Row(13, "rt_sigaction", &RtSigaction, "Sppd");
            Row(14, "rt_sigprocmask", &RtSigprocmask, "dppd");
            Row(15, "rt_sigreturn", &RtSigreturn, "");
            Row(16, "ioctl", &Ioctl, "dxp");
            Row(19, "readv", &Readv, "dpd");
            Row(20, "writev", &Writev, "dpd");
            Row(22, "pipe", &Pipe, "p");
            Row(24, "sched_yield", &SchedYield, "");
            Row(28, "madvise", &Madvise, "pxd");
            Row(29, "shmget", &Shmget, "dxx");
            Row(30, "shmat", &Shmat, "dpx");
            Row(31, "shmctl", &Shmctl, "ddp");
            Row(34, "pause", &Pause, "");
            Row(35, "nanosleep", &Nanosleep, "Tp");
            Row(36, "getitimer", &Getitimer, "dp");
            Row(37, "alarm", &Alarm, "d");
            Row(38, "setitimer", &Setitimer, "dpp");
            Row(39, "getpid", &Getpid, "");
            Row(56, "clone", &Clone, "Cpppp");
            Row(57, "fork", &Fork, "");
            Row(59, "execve", &Execve, "spp", SyscallTraits.TraceFirst);
            Row(60, "exit", &Exit, "d", SyscallTraits.TraceFirst);
            Row(61, "wait4", &Wait4, "dpWp");
            Row(62, "kill", &Kill, "dS");
            Row(63, "uname", &Uname, "p");
            Row(64, "semget", &Semget, "ddx");
            Row(65, "semop", &Semop, "dpd");
            Row(66, "semctl", &Semctl, "dddx");
            Row(67, "shmdt", &Shmdt, "p");
            Row(68, "msgget", &Msgget, "dx");
            Row(69, "msgsnd", &Msgsnd, "dpdx");
            Row(70, "msgrcv", &Msgrcv, "dpddx");
            Row(71, "msgctl", &Msgctl, "ddp");
            Row(102, "getuid", &Root, "");
            Row(104, "getgid", &Root, "");
            Row(107, "geteuid", &Root, "");
            Row(108, "getegid", &Root, "");
            Row(110, "getppid", &Getppid, "");
            Row(127, "rt_sigpending", &RtSigpending, "pd");
            Row(128, "rt_sigtimedwait", &RtSigtimedwait, "ppTd");
            Row(129, "rt_sigqueueinfo", &RtSigqueueinfo, "dSp");
            Row(130, "rt_sigsuspend", &RtSigsuspend, "pd");
            Row(131, "sigaltstack", &Sigaltstack, "pp");
            Row(142, "sched_setparam", &SchedSetparam, "dp");
            Row(143, "sched_getparam", &SchedGetparam, "dp");
            Row(144, "sched_setscheduler", &SchedSetscheduler, "ddp");
            Row(145, "sched_getscheduler", &SchedGetscheduler, "d");
            Row(146, "sched_get_priority_max", &SchedPriorityMax, "d");
            Row(147, "sched_get_priority_min", &SchedPriorityMin, "d");
            Row(158, "arch_prctl", &ArchPrctl, "Ap");
            Row(186, "gettid", &Gettid, "");
            Row(200, "tkill", &Tkill, "dS");
            Row(202, "futex", &Futex, &TraceFormat.FutexArguments);
            Row(218, "set_tid_address", &SetTidAddress, "p");
            Row(219, "restart_syscall", &RestartSyscall, "");
            Row(220, "semtimedop", &Semtimedop, "dpdT");
            Row(228, "clock_gettime", &ClockGettime, "Kp");
            Row(229, "clock_getres", &ClockGetres, "Kp");
            Row(230, "clock_nanosleep", &ClockNanosleep, "KdTp");
            Row(231, "exit_group", &ExitGroup, "d", SyscallTraits.TraceFirst);
            Row(234, "tgkill", &Tgkill, "ddS");
            Row(273, "set_robust_list", &SetRobustList, "pd");
            Row(274, "get_robust_list", &GetRobustList, "dpp");
            Row(293, "pipe2", &Pipe2, "px");
            Row(297, "rt_tgsigqueueinfo", &RtTgsigqueueinfo, "ddSp");
            Row(449, "futex_waitv", &FutexWaitv, "pdxTK");
            Row(1000, "sticky_acct", &StickyAcct, "");
        }

        private static long Read(TrapFrame* f) => SysIo.Read((int)f->Rdi, f->Rsi, f->Rdx);
        private static long Write(TrapFrame* f) => SysSignal.SigpipeOnEpipe(SysIo.Write((int)f->Rdi, f->Rsi, f->Rdx));
        private static long Close(TrapFrame* f) => SysIo.Close((int)f->Rdi);
        private static long Lseek(TrapFrame* f) => SysIo.Lseek((int)f->Rdi);
        private static long Mmap(TrapFrame* f) => SysMemory.Mmap(f->Rdi, f->Rsi, (int)f->Rdx, (int)f->R10, (int)f->R8, f->R9);
        private static long Mprotect(TrapFrame* f) => SysMemory.Mprotect(f->Rdi, f->Rsi, (int)f->Rdx);
        private static long Munmap(TrapFrame* f) => SysMemory.Munmap(f->Rdi, f->Rsi);
        private static long Brk(TrapFrame* f) => SysMemory.Brk(f->Rdi);
        private static long RtSigaction(TrapFrame* f) => SysSignal.Sigaction((int)f->Rdi, f->Rsi, f->Rdx, f->R10);
        private static long RtSigprocmask(TrapFrame* f) => SysSignal.Sigprocmask((int)f->Rdi, f->Rsi, f->Rdx, f->R10);
        private static long RtSigreturn(TrapFrame* f) => SysSignal.Sigreturn(f);
        private static long Pause(TrapFrame* f) => SysSignal.Pause();
        private static long Getitimer(TrapFrame* f) => SysTimer.GetItimer((int)f->Rdi, f->Rsi);
        private static long Alarm(TrapFrame* f) => SysTimer.Alarm((uint)f->Rdi);
        private static long Setitimer(TrapFrame* f) => SysTimer.SetItimer((int)f->Rdi, f->Rsi, f->Rdx);
        private static long Shmget(TrapFrame* f) => SysShm.Get((int)f->Rdi, f->Rsi, (int)f->Rdx);
        private static long Shmat(TrapFrame* f) => SysShm.Attach((int)f->Rdi, f->Rsi, (int)f->Rdx);
        private static long Shmctl(TrapFrame* f) => SysShm.Control((int)f->Rdi, (int)f->Rsi, f->Rdx);
        private static long Shmdt(TrapFrame* f) => SysShm.Detach(f->Rdi);
        private static long Semget(TrapFrame* f) => SysSem.Get((int)f->Rdi, (int)f->Rsi, (int)f->Rdx);
        private static long Semop(TrapFrame* f) => SysSem.Op((int)f->Rdi, f->Rsi, f->Rdx, 0);
        private static long Semtimedop(TrapFrame* f) => SysSem.Op((int)f->Rdi, f->Rsi, f->Rdx, f->R10);
        private static long Semctl(TrapFrame* f) => SysSem.Control((int)f->Rdi, (int)f->Rsi, (int)f->Rdx, f->R10);
        private static long Msgget(TrapFrame* f) => SysMsg.Get((int)f->Rdi, (int)f->Rsi);
        private static long Msgsnd(TrapFrame* f) => SysMsg.Send((int)f->Rdi, f->Rsi, f->Rdx, (int)f->R10);
        private static long Msgrcv(TrapFrame* f) => SysMsg.Receive((int)f->Rdi, f->Rsi, f->Rdx, (long)f->R10, (int)f->R8);
        private static long Msgctl(TrapFrame* f) => SysMsg.Control((int)f->Rdi, (int)f->Rsi, f->Rdx);
        private static long RtSigpending(TrapFrame* f) => SysSignal.Sigpending(f->Rdi, f->Rsi);
        private static long RtSigtimedwait(TrapFrame* f) => SysSignal.Sigtimedwait(f->Rdi, f->Rsi, f->Rdx, f->R10);
        private static long RtSigqueueinfo(TrapFrame* f) => SysSignal.Sigqueueinfo((int)f->Rdi, (int)f->Rsi, f->Rdx);
        private static long RtSigsuspend(TrapFrame* f) => SysSignal.Sigsuspend(f->Rdi, f->Rsi);
        private static long Sigaltstack(TrapFrame* f) => SysSignal.Sigaltstack(f, f->Rdi, f->Rsi);
        private static long RestartSyscall(TrapFrame* f) => SysSignal.RestartSyscall();
        private static long RtTgsigqueueinfo(TrapFrame* f) => SysSignal.Tgsigqueueinfo((int)f->Rdi, (int)f->Rsi, (int)f->Rdx, f->R10);
        private static long Ioctl(TrapFrame* f) => SysIo.Ioctl((int)f->Rdi, f->Rsi, f->Rdx);
        private static long Readv(TrapFrame* f) => SysIo.Readv((int)f->Rdi, f->Rsi, (int)f->Rdx);
        private static long Writev(TrapFrame* f) => SysSignal.SigpipeOnEpipe(SysIo.Writev((int)f->Rdi, f->Rsi, (int)f->Rdx));
        private static long Pipe(TrapFrame* f) => SysIo.Pipe2(f->Rdi, 0);
        private static long SchedYield(TrapFrame* f) { Scheduler.Yield(); return 0; }
        private static long Madvise(TrapFrame* f) => 0;   // advice only; nothing to do without swap or huge pages
        private static long Nanosleep(TrapFrame* f) => SysTime.Nanosleep(f->Rdi, f->Rsi);
        private static long Getpid(TrapFrame* f) => Processes.Current.Pid;
        private static long Clone(TrapFrame* f) => SysProcess.Clone(f, f->Rdi, f->Rsi, f->Rdx, f->R10, f->R8);
        private static long Fork(TrapFrame* f) => SysProcess.Fork(f, (ulong)Signals.SIGCHLD, 0, 0);   // fork = clone(SIGCHLD)
        private static long Execve(TrapFrame* f) => SysProcess.Execve(f, f->Rdi, f->Rsi, f->Rdx);
        private static long Exit(TrapFrame* f) { Processes.ExitThread((int)f->Rdi); return 0; }
        private static long Wait4(TrapFrame* f) => SysProcess.Wait4((int)f->Rdi, f->Rsi, (int)f->Rdx, f->R10);
        private static long Kill(TrapFrame* f) => SysSignal.Kill((int)f->Rdi, (int)f->Rsi);
        private static long Uname(TrapFrame* f) => SysMisc.Uname(f->Rdi);
        private static long Root(TrapFrame* f) => 0;   // every uid and gid: everyone is root
        private static long Getppid(TrapFrame* f) => SysProcess.Getppid();
        private static long ArchPrctl(TrapFrame* f) => SysProcess.ArchPrctl((int)f->Rdi, f->Rsi);
        private static long Gettid(TrapFrame* f) => Scheduler.Current.Id;
        private static long Tkill(TrapFrame* f) => SysSignal.ThreadKill(0, (int)f->Rdi, (int)f->Rsi);
        private static long Futex(TrapFrame* f) => Futexes.Syscall(f->Rdi, (int)f->Rsi, (uint)f->Rdx, f->R10, f->R8, (uint)f->R9);
        private static long SetTidAddress(TrapFrame* f) { Scheduler.Current.ClearChildTid = f->Rdi; return Scheduler.Current.Id; }
        private static long ClockGettime(TrapFrame* f) => SysTime.ClockGettime((int)f->Rdi, f->Rsi);
        private static long ClockGetres(TrapFrame* f) => SysTime.ClockGetres((int)f->Rdi, f->Rsi);
        private static long ClockNanosleep(TrapFrame* f) => SysTime.ClockNanosleep((int)f->Rdi, (int)f->Rsi, f->Rdx, f->R10);
        private static long ExitGroup(TrapFrame* f)
        {
            Processes.Kill(Processes.Current, ((int)f->Rdi & 0xFF) << 8);
            Processes.ExitThread(0);
            return 0;
        }
        private static long Tgkill(TrapFrame* f) => SysSignal.ThreadKill((int)f->Rdi, (int)f->Rsi, (int)f->Rdx);
        private static long SetRobustList(TrapFrame* f) => Futexes.SetRobustList(f->Rdi, f->Rsi);
        private static long GetRobustList(TrapFrame* f) => Futexes.GetRobustList((int)f->Rdi, f->Rsi, f->Rdx);
        private static long FutexWaitv(TrapFrame* f) => Futexes.Waitv(f->Rdi, (uint)f->Rsi, (uint)f->Rdx, f->R10, (int)f->R8);
        private static long SchedSetparam(TrapFrame* f) => SysSched.SetScheduler((int)f->Rdi, 0, f->Rsi, keepPolicy: true);
        private static long SchedGetparam(TrapFrame* f) => SysSched.GetParam((int)f->Rdi, f->Rsi);
        private static long SchedSetscheduler(TrapFrame* f) => SysSched.SetScheduler((int)f->Rdi, (int)f->Rsi, f->Rdx, keepPolicy: false);
        private static long SchedGetscheduler(TrapFrame* f) => SysSched.GetScheduler((int)f->Rdi);
        private static long SchedPriorityMax(TrapFrame* f) => SysSched.PriorityMax((int)f->Rdi);
        private static long SchedPriorityMin(TrapFrame* f) => SysSched.PriorityMin((int)f->Rdi);
        private static long Pipe2(TrapFrame* f) => SysIo.Pipe2(f->Rdi, (int)f->Rsi);
        private static long StickyAcct(TrapFrame* f) { SysMisc.PrintAccounting(); return 0; }
    }
}
