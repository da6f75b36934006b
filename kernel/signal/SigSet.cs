namespace Sticky.Signal
{
    // A set of signals 1..64 as Linux keeps it (sigset_t, 8 bytes on x86-64):
    // bit sig-1 stands for signal sig.
    public static class SigSet
    {
        public const int Count = 64;
        public const int FirstRealtime = 32;   // SIGRTMIN as the kernel counts (libcs reserve 32..34)
        public const int SIGKILL = 9, SIGSTOP = 19;

        public static ulong Of(int signal) => 1UL << (signal - 1);
        public static bool Has(ulong set, int signal) => (set & Of(signal)) != 0;
        public static bool IsValid(int signal) => signal >= 1 && signal <= Count;
        public static bool IsRealtime(int signal) => signal >= FirstRealtime;

        // Neither can be blocked, caught or ignored.
        public const ulong Unblockable = (1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1));

        // Signals a fault raises (SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGSYS):
        // delivered before any other pending signal, as Linux's next_signal does,
        // so a handler sees the fault's context and not some other handler's.
        public const ulong Synchronous = (1UL << (4 - 1)) | (1UL << (5 - 1)) | (1UL << (7 - 1)) |
                                         (1UL << (8 - 1)) | (1UL << (11 - 1)) | (1UL << (31 - 1));

        // The signal to deliver next out of `pending` (already masked): a
        // synchronous one first, then the lowest number. 0 if the set is empty.
        public static int Next(ulong pending)
        {
            if (pending == 0) return 0;
            ulong sync = pending & Synchronous;
            return LowestOf(sync != 0 ? sync : pending);
        }

        public static int LowestOf(ulong set)
        {
            if (set == 0) return 0;
            int n = 1;
            while ((set & 1) == 0) { set >>= 1; n++; }
            return n;
        }
    }
}
