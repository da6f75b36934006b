using Sticky.Arch;
using Sticky.Fs;
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
            Row(2, "open", &Open, "som");
            Row(3, "close", &Close, "d");
            Row(4, "stat", &StatPath, "sp");
            Row(5, "fstat", &Fstat, "dp");
            Row(6, "lstat", &Lstat, "sp");
            Row(7, "poll", &Poll, "pdd");
            Row(8, "lseek", &Lseek, "ddd");
            Row(9, "mmap", &Mmap, "pxPMdx", SyscallTraits.ReturnsAddress);
            Row(10, "mprotect", &Mprotect, "pxP");
            Row(11, "munmap", &Munmap, "px");
            Row(12, "brk", &Brk, "p", SyscallTraits.ReturnsAddress);
            Row(13, "rt_sigaction", &RtSigaction, "Sppd");
            Row(14, "rt_sigprocmask", &RtSigprocmask, "dppd");
            Row(15, "rt_sigreturn", &RtSigreturn, "");
            Row(16, "ioctl", &Ioctl, "dxp");
            Row(17, "pread64", &Pread64, "dpdd");
            Row(18, "pwrite64", &Pwrite64, "dpdd");
            Row(19, "readv", &Readv, "dpd");
            Row(20, "writev", &Writev, "dpd");
            Row(21, "access", &Access, "sd");
            Row(22, "pipe", &Pipe, "p");
            Row(24, "sched_yield", &SchedYield, "");
            Row(25, "mremap", &Mremap, "pxxxp", SyscallTraits.ReturnsAddress);
            Row(28, "madvise", &Madvise, "pxd");
            Row(29, "shmget", &Shmget, "dxx");
            Row(30, "shmat", &Shmat, "dpx");
            Row(31, "shmctl", &Shmctl, "ddp");
            Row(32, "dup", &Dup, "d");
            Row(33, "dup2", &Dup2, "dd");
            Row(34, "pause", &Pause, "");
            Row(35, "nanosleep", &Nanosleep, "Tp");
            Row(36, "getitimer", &Getitimer, "dp");
            Row(37, "alarm", &Alarm, "d");
            Row(38, "setitimer", &Setitimer, "dpp");
            Row(39, "getpid", &Getpid, "");
            Row(56, "clone", &Clone, "Cpppp");
            Row(57, "fork", &Fork, "");
            Row(58, "vfork", &Vfork, "");
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
            Row(72, "fcntl", &Fcntl, "ddx");
            Row(74, "fsync", &Fsync, "d");
            Row(75, "fdatasync", &Fsync, "d");
            Row(76, "truncate", &Truncate, "sd");
            Row(77, "ftruncate", &Ftruncate, "dd");
            Row(79, "getcwd", &Getcwd, "pd");
            Row(80, "chdir", &Chdir, "s");
            Row(81, "fchdir", &Fchdir, "d");
            Row(82, "rename", &Rename, "ss");
            Row(83, "mkdir", &Mkdir, "sm");
            Row(84, "rmdir", &Rmdir, "s");
            Row(85, "creat", &Creat, "sm");
            Row(87, "unlink", &Unlink, "s");
            Row(89, "readlink", &Readlink, "spd");
            Row(95, "umask", &Umask, "m");
            Row(96, "gettimeofday", &Gettimeofday, "pp");
            Row(97, "getrlimit", &Getrlimit, "dp");
            Row(98, "getrusage", &Getrusage, "dp");
            Row(99, "sysinfo", &Sysinfo, "p");
            Row(100, "times", &Times, "p");
            Row(102, "getuid", &Root, "");
            Row(104, "getgid", &Root, "");
            Row(107, "geteuid", &Root, "");
            Row(108, "getegid", &Root, "");
            Row(109, "setpgid", &Setpgid, "dd");
            Row(110, "getppid", &Getppid, "");
            Row(111, "getpgrp", &Getpgrp, "");
            Row(112, "setsid", &Setsid, "");
            Row(121, "getpgid", &Getpgid, "d");
            Row(124, "getsid", &Getsid, "d");
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
            Row(160, "setrlimit", &Setrlimit, "dp");
            Row(186, "gettid", &Gettid, "");
            Row(200, "tkill", &Tkill, "dS");
            Row(201, "time", &Time, "p");
            Row(202, "futex", &Futex, &TraceFormat.FutexArguments);
            Row(204, "sched_getaffinity", &SchedGetaffinity, "ddp");
            Row(217, "getdents64", &Getdents64, "dpd");
            Row(218, "set_tid_address", &SetTidAddress, "p");
            Row(219, "restart_syscall", &RestartSyscall, "");
            Row(220, "semtimedop", &Semtimedop, "dpdT");
            Row(228, "clock_gettime", &ClockGettime, "Kp");
            Row(229, "clock_getres", &ClockGetres, "Kp");
            Row(230, "clock_nanosleep", &ClockNanosleep, "KdTp");
            Row(231, "exit_group", &ExitGroup, "d", SyscallTraits.TraceFirst);
            Row(234, "tgkill", &Tgkill, "ddS");
            Row(257, "openat", &Openat, "asom");
            Row(258, "mkdirat", &Mkdirat, "asm");
            Row(262, "newfstatat", &Newfstatat, "aspx");
            Row(263, "unlinkat", &Unlinkat, "asx");
            Row(264, "renameat", &Renameat, "asas");
            Row(267, "readlinkat", &Readlinkat, "aspd");
            Row(269, "faccessat", &Faccessat, "asd");
            Row(271, "ppoll", &Ppoll, "pdppd");
            Row(273, "set_robust_list", &SetRobustList, "pd");
            Row(274, "get_robust_list", &GetRobustList, "dpp");
            Row(292, "dup3", &Dup3, "ddx");
            Row(293, "pipe2", &Pipe2, "px");
            Row(297, "rt_tgsigqueueinfo", &RtTgsigqueueinfo, "ddSp");
            Row(302, "prlimit64", &Prlimit64, "ddpp");
            Row(316, "renameat2", &Renameat2, "asasx");
            Row(318, "getrandom", &Getrandom, "pdx");
            Row(332, "statx", &Statx, "asxxp");
            Row(435, "clone3", &Clone3, "pd");
            Row(439, "faccessat2", &Faccessat2, "asdx");
            Row(449, "futex_waitv", &FutexWaitv, "pdxTK");
        }

        private static long Read(TrapFrame* f) => SysIo.Read((int)f->Rdi, f->Rsi, f->Rdx);
        private static long Write(TrapFrame* f) => SysSignal.SigpipeOnEpipe(SysIo.Write((int)f->Rdi, f->Rsi, f->Rdx));
        private static long Close(TrapFrame* f) => SysIo.Close((int)f->Rdi);
        private static long Lseek(TrapFrame* f) => SysIo.Lseek((int)f->Rdi, (long)f->Rsi, (int)f->Rdx);
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
        private static long Mremap(TrapFrame* f) => SysMemory.Mremap(f->Rdi, f->Rsi, f->Rdx, (int)f->R10, f->R8);
        private static long Madvise(TrapFrame* f) => 0;   // advice only; nothing to do without swap or huge pages
        private static long Nanosleep(TrapFrame* f) => SysTime.Nanosleep(f->Rdi, f->Rsi);
        private static long Getpid(TrapFrame* f) => Processes.Current.Pid;
        private static long Clone(TrapFrame* f) => SysProcess.Clone(f, f->Rdi, f->Rsi, f->Rdx, f->R10, f->R8);
        private static long Fork(TrapFrame* f) => SysProcess.Fork(f, (ulong)Signals.SIGCHLD, 0, 0, 0, 0);
        private static long Vfork(TrapFrame* f) => SysProcess.Vfork(f);
        private static long Clone3(TrapFrame* f) => SysProcess.Clone3(f, f->Rdi, f->Rsi);
        private static long Execve(TrapFrame* f) => SysProcess.Execve(f, f->Rdi, f->Rsi, f->Rdx);
        private static long Exit(TrapFrame* f) { Processes.ExitThread((int)f->Rdi); return 0; }
        private static long Wait4(TrapFrame* f) => SysProcess.Wait4((int)f->Rdi, f->Rsi, (int)f->Rdx, f->R10);
        private static long Kill(TrapFrame* f) => SysSignal.Kill((int)f->Rdi, (int)f->Rsi);
        private static long Uname(TrapFrame* f) => SysMisc.Uname(f->Rdi);
        private static long Poll(TrapFrame* f) => SysPoll.Poll(f->Rdi, f->Rsi, (int)f->Rdx);
        private static long Ppoll(TrapFrame* f) => SysPoll.Ppoll(f->Rdi, f->Rsi, f->Rdx, f->R10, f->R8);
        private static long Root(TrapFrame* f) => 0;   // every uid and gid: everyone is root
        private static long Setpgid(TrapFrame* f) => SysSession.Setpgid((int)f->Rdi, (int)f->Rsi);
        private static long Getpgrp(TrapFrame* f) => SysSession.Getpgrp();
        private static long Setsid(TrapFrame* f) => SysSession.Setsid();
        private static long Getpgid(TrapFrame* f) => SysSession.Getpgid((int)f->Rdi);
        private static long Getsid(TrapFrame* f) => SysSession.Getsid((int)f->Rdi);
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
        private static long Open(TrapFrame* f) => SysFile.Open(Vfs.AT_FDCWD, f->Rdi, (int)f->Rsi, (uint)f->Rdx);
        private static long StatPath(TrapFrame* f) => SysFile.NewFstatat(Vfs.AT_FDCWD, f->Rdi, f->Rsi, 0);
        private static long Fstat(TrapFrame* f) => SysFile.Fstat((int)f->Rdi, f->Rsi);
        private static long Lstat(TrapFrame* f) => SysFile.NewFstatat(Vfs.AT_FDCWD, f->Rdi, f->Rsi, SysFile.AT_SYMLINK_NOFOLLOW);
        private static long Pread64(TrapFrame* f) => (long)f->R10 < 0 ? -Errno.EINVAL : SysIo.Read((int)f->Rdi, f->Rsi, f->Rdx, (long)f->R10);
        private static long Pwrite64(TrapFrame* f) => (long)f->R10 < 0 ? -Errno.EINVAL : SysIo.Write((int)f->Rdi, f->Rsi, f->Rdx, (long)f->R10);
        private static long Access(TrapFrame* f) => SysFile.Faccessat(Vfs.AT_FDCWD, f->Rdi, (int)f->Rsi, 0);
        private static long Dup(TrapFrame* f) => SysFd.Dup((int)f->Rdi);
        private static long Dup2(TrapFrame* f) => SysFd.Dup2((int)f->Rdi, (int)f->Rsi);
        private static long Fcntl(TrapFrame* f) => SysFd.Fcntl((int)f->Rdi, (int)f->Rsi, f->Rdx);
        private static long Fsync(TrapFrame* f) => Processes.Current.Files.IsOpen((int)f->Rdi) ? 0 : -Errno.EBADF;   // nothing is cached: all is on "disk"
        private static long Truncate(TrapFrame* f) => SysFile.Truncate(f->Rdi, (long)f->Rsi);
        private static long Ftruncate(TrapFrame* f) => SysFile.Ftruncate((int)f->Rdi, (long)f->Rsi);
        private static long Getcwd(TrapFrame* f) => SysDir.Getcwd(f->Rdi, f->Rsi);
        private static long Chdir(TrapFrame* f) => SysDir.Chdir(f->Rdi);
        private static long Fchdir(TrapFrame* f) => SysDir.Fchdir((int)f->Rdi);
        private static long Rename(TrapFrame* f) => SysDir.Renameat2(Vfs.AT_FDCWD, f->Rdi, Vfs.AT_FDCWD, f->Rsi, 0);
        private static long Mkdir(TrapFrame* f) => SysDir.Mkdirat(Vfs.AT_FDCWD, f->Rdi, (uint)f->Rsi);
        private static long Rmdir(TrapFrame* f) => SysDir.Unlinkat(Vfs.AT_FDCWD, f->Rdi, SysFile.AT_REMOVEDIR);
        private static long Creat(TrapFrame* f) => SysFile.Open(Vfs.AT_FDCWD, f->Rdi, 0x241 /* O_CREAT|O_WRONLY|O_TRUNC */, (uint)f->Rsi);
        private static long Unlink(TrapFrame* f) => SysDir.Unlinkat(Vfs.AT_FDCWD, f->Rdi, 0);
        private static long Readlink(TrapFrame* f) => SysFile.Readlinkat(Vfs.AT_FDCWD, f->Rdi, f->Rsi, (long)f->Rdx);
        private static long Umask(TrapFrame* f)
        {
            Process p = Processes.Current;
            uint old = p.Umask;
            p.Umask = (uint)f->Rdi & 0x1FF;
            return old;
        }
        private static long Getrlimit(TrapFrame* f) => Limits.Getrlimit((int)f->Rdi, f->Rsi);
        private static long Setrlimit(TrapFrame* f) => Limits.Setrlimit((int)f->Rdi, f->Rsi);
        private static long Getdents64(TrapFrame* f) => SysDir.Getdents64((int)f->Rdi, f->Rsi, f->Rdx);
        private static long Openat(TrapFrame* f) => SysFile.Open((int)f->Rdi, f->Rsi, (int)f->Rdx, (uint)f->R10);
        private static long Mkdirat(TrapFrame* f) => SysDir.Mkdirat((int)f->Rdi, f->Rsi, (uint)f->Rdx);
        private static long Newfstatat(TrapFrame* f) => SysFile.NewFstatat((int)f->Rdi, f->Rsi, f->Rdx, (int)f->R10);
        private static long Unlinkat(TrapFrame* f) => SysDir.Unlinkat((int)f->Rdi, f->Rsi, (int)f->Rdx);
        private static long Renameat(TrapFrame* f) => SysDir.Renameat2((int)f->Rdi, f->Rsi, (int)f->Rdx, f->R10, 0);
        private static long Readlinkat(TrapFrame* f) => SysFile.Readlinkat((int)f->Rdi, f->Rsi, f->Rdx, (long)f->R10);
        private static long Faccessat(TrapFrame* f) => SysFile.Faccessat((int)f->Rdi, f->Rsi, (int)f->Rdx, 0);
        private static long Dup3(TrapFrame* f) => SysFd.Dup3((int)f->Rdi, (int)f->Rsi, (int)f->Rdx);
        private static long Prlimit64(TrapFrame* f) => Limits.Prlimit64((int)f->Rdi, (int)f->Rsi, f->Rdx, f->R10);
        private static long Renameat2(TrapFrame* f) => SysDir.Renameat2((int)f->Rdi, f->Rsi, (int)f->Rdx, f->R10, (uint)f->R8);
        private static long Statx(TrapFrame* f) => SysFile.Statx((int)f->Rdi, f->Rsi, (int)f->Rdx, (uint)f->R10, f->R8);
        private static long Faccessat2(TrapFrame* f) => SysFile.Faccessat((int)f->Rdi, f->Rsi, (int)f->Rdx, (int)f->R10);
        private static long Gettimeofday(TrapFrame* f) => SysStartup.Gettimeofday(f->Rdi, f->Rsi);
        private static long Getrusage(TrapFrame* f) => SysStartup.Getrusage((int)f->Rdi, f->Rsi);
        private static long Sysinfo(TrapFrame* f) => SysStartup.Sysinfo(f->Rdi);
        private static long Times(TrapFrame* f) => SysStartup.Times(f->Rdi);
        private static long Time(TrapFrame* f) => SysStartup.Time(f->Rdi);
        private static long SchedGetaffinity(TrapFrame* f) => SysStartup.SchedGetaffinity((int)f->Rdi, f->Rsi, f->Rdx);
        private static long Getrandom(TrapFrame* f) => SysStartup.Getrandom(f->Rdi, f->Rsi, (uint)f->Rdx);
    }
}
