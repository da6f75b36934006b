namespace Sticky.Futex
{
    // futex(2) command numbers (uapi linux/futex.h); FUTEX_FD (removed from
    // Linux in 2.6.26) is the only one that is ENOSYS.
    public static class FutexCommand
    {
        public const int Wait = 0;            // supported
        public const int Wake = 1;            // supported
        public const int Fd = 2;              // removed from Linux in 2.6.26: ENOSYS there too
        public const int Requeue = 3;         // supported
        public const int CmpRequeue = 4;      // supported
        public const int WakeOp = 5;          // supported
        public const int LockPi = 6;            // supported (PI)
        public const int UnlockPi = 7;            // supported (PI)
        public const int TrylockPi = 8;            // supported (PI)
        public const int WaitBitset = 9;      // supported
        public const int WakeBitset = 10;     // supported
        public const int WaitRequeuePi = 11;            // supported (PI)
        public const int CmpRequeuePi = 12;            // supported (PI)
        public const int LockPi2 = 13;            // supported (PI)
    }

    // The decoded `op` argument of futex(2).
    //
    // The command is op with the two flag bits cleared, as Linux computes it
    // (cmd = op & FUTEX_CMD_MASK = op & ~(PRIVATE_FLAG | CLOCK_REALTIME)); it is
    // NOT op & 127: any other stray bit (0x200, the sign bit) makes an unknown
    // command and so ENOSYS. Checked against Linux 6.18.
    public readonly struct FutexOp
    {
        public const int PrivateFlag = 128;
        public const int ClockRealtimeFlag = 256;
        public const int CommandMask = ~(PrivateFlag | ClockRealtimeFlag);
        public const uint BitsetMatchAny = 0xFFFFFFFF;

        public readonly int Raw;

        public FutexOp(int op) { Raw = op; }

        public int Command => Raw & CommandMask;
        public bool IsPrivate => (Raw & PrivateFlag) != 0;
        public bool UsesRealtimeClock => (Raw & ClockRealtimeFlag) != 0;

        // Whether the fourth argument is a timespec pointer (else it is val2, a
        // count). Linux reads and validates the timespec before anything else,
        // even for commands it will then reject (futex_cmd_has_timeout).
        public bool HasTimeout
        {
            get
            {
                int c = Command;
                return c == FutexCommand.Wait || c == FutexCommand.WaitBitset || c == FutexCommand.LockPi
                    || c == FutexCommand.LockPi2 || c == FutexCommand.WaitRequeuePi;
            }
        }

        // FUTEX_WAIT's timeout is relative (to CLOCK_MONOTONIC); WAIT_BITSET's is an
        // absolute time on CLOCK_MONOTONIC, or CLOCK_REALTIME with the flag.
        public bool TimeoutIsRelative => Command == FutexCommand.Wait;

        // The absolute deadline is on CLOCK_REALTIME: with the flag, and always
        // for LOCK_PI ("for historical reasons"; LOCK_PI2 is MONOTONIC unless flagged).
        public bool DeadlineIsRealtime => UsesRealtimeClock || Command == FutexCommand.LockPi;

        public bool IsSupported
        {
            get
            {
                switch (Command)
                {
                    case FutexCommand.Wait:
                    case FutexCommand.Wake:
                    case FutexCommand.Requeue:
                    case FutexCommand.CmpRequeue:
                    case FutexCommand.WakeOp:
                    case FutexCommand.WaitBitset:
                    case FutexCommand.WakeBitset:
                    case FutexCommand.LockPi:
                    case FutexCommand.UnlockPi:
                    case FutexCommand.TrylockPi:
                    case FutexCommand.WaitRequeuePi:
                    case FutexCommand.CmpRequeuePi:
                    case FutexCommand.LockPi2:
                        return true;
                    default:
                        return false;
                }
            }
        }

        public bool IsWait => Command == FutexCommand.Wait || Command == FutexCommand.WaitBitset;

        // 0 or ENOSYS, in Linux's order (do_futex): the clock flag first, then the
        // command. Linux 6.x accepts CLOCK_REALTIME only with WAIT_BITSET,
        // WAIT_REQUEUE_PI and LOCK_PI2; plain FUTEX_WAIT is refused (the 4.5
        // change that allowed it was reverted; futex(2) still documents it).
        public int Check()
        {
            if (UsesRealtimeClock)
            {
                int c = Command;
                if (c != FutexCommand.WaitBitset && c != FutexCommand.WaitRequeuePi && c != FutexCommand.LockPi2)
                    return Errno.ENOSYS;
            }
            return IsSupported ? 0 : Errno.ENOSYS;
        }
    }
}
