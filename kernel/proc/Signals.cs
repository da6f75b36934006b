namespace Sticky.Proc
{
    // Linux signal numbers (x86-64) and names. Default actions, sets and
    // queues: kernel/signal; generation and delivery: Signal*.cs here.
    public static class Signals
    {
        public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
            SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21,
            SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28,
            SIGIO = 29, SIGPWR = 30, SIGSYS = 31;

        // Signals whose default action is to do nothing.
        public static bool IgnoredByDefault(int signal) =>
            signal == SIGCHLD || signal == SIGCONT || signal == SIGURG || signal == SIGWINCH;

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
                case SIGURG: return "SIGURG";
                case SIGWINCH: return "SIGWINCH";
                case SIGSTKFLT: return "SIGSTKFLT";
                case SIGSTOP: return "SIGSTOP";
                case SIGTSTP: return "SIGTSTP";
                case SIGTTIN: return "SIGTTIN";
                case SIGTTOU: return "SIGTTOU";
                case SIGXCPU: return "SIGXCPU";
                case SIGXFSZ: return "SIGXFSZ";
                case SIGVTALRM: return "SIGVTALRM";
                case SIGPROF: return "SIGPROF";
                case SIGIO: return "SIGIO";
                case SIGPWR: return "SIGPWR";
                case SIGSYS: return "SIGSYS";
                default: return null;
            }
        }
    }
}
