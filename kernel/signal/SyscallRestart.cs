namespace Sticky.Signal
{
    public enum RestartAction : byte
    {
        Keep,            // return the result as it is
        Interrupted,     // return -EINTR
        Restart,         // run the same call again (rax = its number, rip back over `syscall`)
        RestartBlock,    // run restart_syscall, which continues the call from its saved state
    }

    // The kernel-internal results a blocking call returns when a signal
    // interrupts it, and what they turn into on the way back to user mode
    // (Linux's arch signal code; these values never reach user space).
    public static class SyscallRestart
    {
        public const int ERESTARTSYS = 512;             // restart if the handler has SA_RESTART (or no handler runs)
        public const int ERESTARTNOINTR = 513;          // always restart
        public const int ERESTARTNOHAND = 514;          // restart only if no handler runs
        public const int ERESTART_RESTARTBLOCK = 516;   // as NOHAND, through restart_syscall
        public const int RestartSyscallNumber = 219;    // restart_syscall

        public static bool IsRestart(long result) =>
            result == -ERESTARTSYS || result == -ERESTARTNOINTR || result == -ERESTARTNOHAND || result == -ERESTART_RESTARTBLOCK;

        // `handlerRuns`: a handler frame is being set up for this return;
        // `handlerRestarts`: that handler has SA_RESTART.
        public static RestartAction Decide(long result, bool handlerRuns, bool handlerRestarts)
        {
            if (!IsRestart(result)) return RestartAction.Keep;
            if (!handlerRuns) return result == -ERESTART_RESTARTBLOCK ? RestartAction.RestartBlock : RestartAction.Restart;
            if (result == -ERESTARTNOINTR) return RestartAction.Restart;
            if (result == -ERESTARTSYS && handlerRestarts) return RestartAction.Restart;
            return RestartAction.Interrupted;
        }
    }
}
