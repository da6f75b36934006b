namespace Sticky.Signal
{
    // The part of Linux's 128-byte siginfo_t that carries data (x86-64 layout;
    // the rest is zero). Which words mean what depends on the signal's origin:
    //   kill/tkill (SI_USER, SI_TKILL):  Word16 = pid | (ulong)uid << 32
    //   sigqueue (SI_QUEUE):             Word16 = pid | uid << 32, Word24 = sigval
    //   SIGCHLD (CLD_*):                 Word16 = pid | uid << 32, Word24 = status (int)
    //   faults (SEGV_*, ...):            Word16 = si_addr
    //   timers (SI_TIMER):               Word16 = timer id | overrun << 32, Word24 = sigval
    public struct SigInfo
    {
        public const int Size = 128;          // sizeof(siginfo_t)

        // si_code values (uapi asm-generic/siginfo.h).
        public const int SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TIMER = -2, SI_TKILL = -6;
        public const int SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, ILL_ILLOPN = 2, FPE_INTDIV = 1,
            TRAP_BRKPT = 1, CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

        public int Signo;
        public int Errno;
        public int Code;
        public int Pad;
        public ulong Word16, Word24, Word32;

        public static SigInfo FromProcess(int signo, int code, int pid) =>
            new SigInfo { Signo = signo, Code = code, Word16 = (uint)pid };

        public static SigInfo Fault(int signo, int code, ulong address) =>
            new SigInfo { Signo = signo, Code = code, Word16 = address };

        // Whether user space may send this code with rt_sigqueueinfo: only
        // negative codes other than SI_TKILL (a process must not pose as the kernel).
        public static bool UserMayQueue(int code) => code < 0 && code != SI_TKILL;
    }
}
