namespace Sticky.Proc
{
    public enum RestartKind : byte { None, FutexWait, Nanosleep, Poll }

    // What restart_syscall (219) continues when a call that returned
    // ERESTART_RESTARTBLOCK is restarted without a handler having run: a timed
    // FUTEX_WAIT, a relative nanosleep, a poll. Deadlines are absolute (monotonic ns),
    // so the restarted call ends when the first would have.
    public struct SignalRestart
    {
        public RestartKind Kind;
        public ulong Word;          // futex: the word; nanosleep: the remainder pointer; poll: the pollfd array
        public uint Value;          // futex: the expected value; poll: the number of entries
        public uint Bitset;         // futex: the wait's bitset
        public ulong DeadlineNs;    // monotonic
    }
}
