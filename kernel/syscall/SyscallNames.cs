namespace Sticky.Sys
{
    // Linux x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl)
    // for the calls stickyos implements, plus names for the log and the trace.
    public static class Nr
    {
        public const int Read = 0, Write = 1, Open = 2, Close = 3, Stat = 4, Fstat = 5, Lseek = 8, Mmap = 9,
            Mprotect = 10, Munmap = 11, Brk = 12, RtSigaction = 13, RtSigprocmask = 14, Ioctl = 16, Readv = 19,
            Writev = 20, Pipe = 22, SchedYield = 24, Madvise = 28, Dup = 32, Nanosleep = 35, Getpid = 39,
            Clone = 56, Fork = 57, Vfork = 58, Execve = 59, Exit = 60, Wait4 = 61, Kill = 62, Uname = 63,
            Fcntl = 72, Getuid = 102, Getgid = 104, Geteuid = 107, Getegid = 108, Setpgid = 109, Getppid = 110,
            Getpgrp = 111, Setsid = 112, Getpgid = 121, Getsid = 124,
            Sigaltstack = 131, ArchPrctl = 158, Gettid = 186, Tkill = 200, Futex = 202,
            SetTidAddress = 218, ClockGettime = 228, ClockGetres = 229, ClockNanosleep = 230, ExitGroup = 231,
            Tgkill = 234, Openat = 257, SetRobustList = 273, Pipe2 = 293, Prlimit64 = 302, Getrandom = 318,
            Rseq = 334, StickyAccounting = 1000;
    }

    public static class SyscallNames
    {
        public static string Of(ulong nr)
        {
            switch (nr)
            {
                case Nr.Read: return "read";
                case Nr.Write: return "write";
                case Nr.Open: return "open";
                case Nr.Close: return "close";
                case Nr.Stat: return "stat";
                case Nr.Fstat: return "fstat";
                case Nr.Lseek: return "lseek";
                case Nr.Mmap: return "mmap";
                case Nr.Mprotect: return "mprotect";
                case Nr.Munmap: return "munmap";
                case Nr.Brk: return "brk";
                case Nr.RtSigaction: return "rt_sigaction";
                case Nr.RtSigprocmask: return "rt_sigprocmask";
                case Nr.Ioctl: return "ioctl";
                case Nr.Readv: return "readv";
                case Nr.Writev: return "writev";
                case Nr.Pipe: return "pipe";
                case Nr.SchedYield: return "sched_yield";
                case Nr.Madvise: return "madvise";
                case Nr.Dup: return "dup";
                case Nr.Nanosleep: return "nanosleep";
                case Nr.Getpid: return "getpid";
                case Nr.Clone: return "clone";
                case Nr.Fork: return "fork";
                case Nr.Vfork: return "vfork";
                case Nr.Execve: return "execve";
                case Nr.Exit: return "exit";
                case Nr.Wait4: return "wait4";
                case Nr.Kill: return "kill";
                case Nr.Uname: return "uname";
                case Nr.Fcntl: return "fcntl";
                case Nr.Getuid: return "getuid";
                case Nr.Getgid: return "getgid";
                case Nr.Geteuid: return "geteuid";
                case Nr.Getegid: return "getegid";
                case Nr.Getppid: return "getppid";
                case Nr.Setpgid: return "setpgid";
                case Nr.Getpgrp: return "getpgrp";
                case Nr.Setsid: return "setsid";
                case Nr.Getpgid: return "getpgid";
                case Nr.Getsid: return "getsid";
                case Nr.Sigaltstack: return "sigaltstack";
                case Nr.ArchPrctl: return "arch_prctl";
                case Nr.Gettid: return "gettid";
                case Nr.Tkill: return "tkill";
                case Nr.Futex: return "futex";
                case Nr.SetTidAddress: return "set_tid_address";
                case Nr.ClockGettime: return "clock_gettime";
                case Nr.ClockGetres: return "clock_getres";
                case Nr.ClockNanosleep: return "clock_nanosleep";
                case Nr.ExitGroup: return "exit_group";
                case Nr.Tgkill: return "tgkill";
                case Nr.Openat: return "openat";
                case Nr.SetRobustList: return "set_robust_list";
                case Nr.Pipe2: return "pipe2";
                case Nr.Prlimit64: return "prlimit64";
                case Nr.Getrandom: return "getrandom";
                case Nr.Rseq: return "rseq";
                case Nr.StickyAccounting: return "sticky_acct";
                default: return null;
            }
        }
    }
}
