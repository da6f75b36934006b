namespace Sticky.Proc
{
    // Linux signal numbers (x86-64). Signals exist only as their default
    // action: the terminating ones end the process with that wait status.
    public static class Signals
    {
        public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
            SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22,
            SIGURG = 23, SIGWINCH = 28;

        // Signals whose default action is to do nothing.
        public static bool IgnoredByDefault(int signal) =>
            signal == SIGCHLD || signal == SIGCONT || signal == SIGURG || signal == SIGWINCH;

        // Signals whose default action stops the process: not implemented, so
        // they do nothing (rather than end it, which would be worse).
        public static bool StopsByDefault(int signal) =>
            signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU;

        public static string Name(int signal)
        {
            switch (signal)
            {
                case SIGHUP: return "SIGHUP";
                case SIGINT: return "SIGINT";
                case SIGQUIT: return "SIGQUIT";
                case SIGILL: return "SIGILL";
                case SIGTRAP: return "SIGTRAP";
                case SIGABRT: return "SIGABRT";
                case SIGBUS: return "SIGBUS";
                case SIGFPE: return "SIGFPE";
                case SIGKILL: return "SIGKILL";
                case SIGUSR1: return "SIGUSR1";
                case SIGSEGV: return "SIGSEGV";
                case SIGUSR2: return "SIGUSR2";
                case SIGPIPE: return "SIGPIPE";
                case SIGALRM: return "SIGALRM";
                case SIGTERM: return "SIGTERM";
                case SIGCHLD: return "SIGCHLD";
                case SIGCONT: return "SIGCONT";
                case SIGSTOP: return "SIGSTOP";
                case SIGTSTP: return "SIGTSTP";
                case SIGTTIN: return "SIGTTIN";
                case SIGTTOU: return "SIGTTOU";
                case SIGURG: return "SIGURG";
                case SIGWINCH: return "SIGWINCH";
                default: return null;
            }
        }
    }
}
