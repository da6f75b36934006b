namespace Sticky.Signal
{
    // struct sigaction as the x86-64 kernel takes it (rt_sigaction): handler,
    // flags, restorer, mask; 32 bytes.
    public struct SignalAction
    {
        public const ulong SIG_DFL = 0, SIG_IGN = 1;
        public const ulong SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_RESTORER = 0x04000000,
            SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000;

        public ulong Handler;
        public ulong Flags;
        public ulong Restorer;
        public ulong Mask;

        public bool IsDefault => Handler == SIG_DFL;
        public bool IsIgnore => Handler == SIG_IGN;
        public bool Has(ulong flag) => (Flags & flag) != 0;
    }

    public enum DefaultAction : byte { Terminate, CoreDump, Ignore, Stop, Continue }

    // Every process's handlers (shared by its threads: CLONE_SIGHAND), indexed
    // by signal number (slot 0 unused).
    public sealed class SignalActions
    {
        private readonly SignalAction[] _actions = new SignalAction[SigSet.Count + 1];

        public ref SignalAction this[int signal] => ref _actions[signal];

        public void CopyFrom(SignalActions other)
        {
            for (int i = 1; i <= SigSet.Count; i++) _actions[i] = other._actions[i];
        }

        // execve: caught signals go back to their default action; ignored ones stay ignored (POSIX).
        public void ResetHandlersForExec()
        {
            for (int i = 1; i <= SigSet.Count; i++)
            {
                if (_actions[i].IsIgnore) { _actions[i].Flags = 0; _actions[i].Mask = 0; _actions[i].Restorer = 0; }
                else _actions[i] = default;
            }
        }

        // Whether a signal sent now would be thrown away: ignored explicitly, or
        // by default (SIGCHLD, SIGURG, SIGWINCH, and SIGCONT, whose continuing
        // happens at generation).
        public bool Ignores(int signal)
        {
            ref SignalAction a = ref _actions[signal];
            if (a.IsIgnore) return signal != SigSet.SIGKILL && signal != SigSet.SIGSTOP;
            return a.IsDefault && SignalDefaults.Of(signal) is DefaultAction.Ignore or DefaultAction.Continue;
        }

        public void Release() => Sticky.Mm.ObjectRelease.Release(_actions);
    }

    public static class SignalDefaults
    {
        public static DefaultAction Of(int signal)
        {
            switch (signal)
            {
                case 17: case 23: case 28: return DefaultAction.Ignore;            // SIGCHLD SIGURG SIGWINCH
                case 18: return DefaultAction.Continue;                             // SIGCONT
                case 19: case 20: case 21: case 22: return DefaultAction.Stop;      // SIGSTOP SIGTSTP SIGTTIN SIGTTOU
                case 3: case 4: case 5: case 6: case 7: case 8: case 11: case 24: case 25: case 31:
                    return DefaultAction.CoreDump;                                  // QUIT ILL TRAP ABRT BUS FPE SEGV XCPU XFSZ SYS
                default: return DefaultAction.Terminate;                            // the rest, and every real-time signal
            }
        }
    }
}
