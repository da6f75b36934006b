namespace Sticky.Futex
{
    // A futex(2) call with its arguments checked, the way Linux 6.x checks them.
    //
    // Order of errors (the glue keeps it):
    //   1. timeout, only if op.HasTimeout and arg4 != 0: copy the timespec (EFAULT),
    //      then FutexTimeout.Check (EINVAL)            -- before anything below
    //   2. Decode: op (ENOSYS), then per command: bitset 0 / negative requeue
    //      counts (EINVAL), then each word: misaligned (EINVAL), outside user
    //      space (EFAULT)
    //   3. glue, while computing keys: unmapped word (EFAULT), then the work
    //      (EAGAIN value mismatch, WAKE_OP's ENOSYS for a bad op, ETIMEDOUT, EINTR)
    public struct FutexRequest
    {
        public FutexOp Op;
        public ulong Word;       // uaddr
        public ulong Word2;      // uaddr2 (Requeue, CmpRequeue, WakeOp); 0 otherwise
        public uint Value;       // val: the expected value for a wait
        public int Count;        // (int)val: how many to wake (wake, requeue, wake-op)
        public int Count2;       // (int)(uint)arg4: requeue's nr_requeue, WAKE_OP's nr_wake2
        public uint Bitset;      // MatchAny for WAIT and WAKE, val3 for the BITSET commands
        public uint Value3;      // val3: CMP_REQUEUE's expected value, WAKE_OP's encoded operation

        // Returns 0 or a positive errno. `userEnd` is the first address above user
        // space. For commands with a timeout, arg4 is the timespec pointer and
        // must already have been handled (step 1 above).
        public static int Decode(int op, ulong uaddr, uint val, ulong arg4, ulong uaddr2, uint val3,
                                 ulong userEnd, out FutexRequest request)
        {
            request = default;
            var o = new FutexOp(op);
            int error = o.Check();
            if (error != 0) return error;

            request.Op = o;
            request.Word = uaddr;
            request.Value = val;
            request.Count = (int)val;
            request.Value3 = val3;
            request.Bitset = FutexOp.BitsetMatchAny;
            // Linux passes the pointer argument on as a u32 count: the upper half
            // is dropped, not rejected (checked on Linux 6.18).
            if (!o.HasTimeout) request.Count2 = (int)(uint)arg4;

            switch (o.Command)
            {
                case FutexCommand.WaitBitset:
                case FutexCommand.WakeBitset:
                    if (val3 == 0) return Errno.EINVAL;
                    request.Bitset = val3;
                    return CheckWord(uaddr, userEnd);
                case FutexCommand.Wait:
                case FutexCommand.Wake:
                    return CheckWord(uaddr, userEnd);
                case FutexCommand.Requeue:
                case FutexCommand.CmpRequeue:
                    // futex_requeue checks the counts before either address.
                    if (request.Count < 0 || request.Count2 < 0) return Errno.EINVAL;
                    request.Word2 = uaddr2;
                    error = CheckWord(uaddr, userEnd);
                    return error != 0 ? error : CheckWord(uaddr2, userEnd);
                case FutexCommand.LockPi:
                case FutexCommand.LockPi2:
                case FutexCommand.TrylockPi:
                case FutexCommand.UnlockPi:
                    return CheckWord(uaddr, userEnd);
                case FutexCommand.WaitRequeuePi:
                    if (uaddr == uaddr2) return Errno.EINVAL;
                    request.Word2 = uaddr2;
                    error = CheckWord(uaddr, userEnd);
                    return error != 0 ? error : CheckWord(uaddr2, userEnd);
                case FutexCommand.CmpRequeuePi:
                    // futex_requeue: counts, then the same word twice, then nr_wake != 1.
                    if (request.Count < 0 || request.Count2 < 0) return Errno.EINVAL;
                    if (uaddr == uaddr2 || request.Count != 1) return Errno.EINVAL;
                    request.Word2 = uaddr2;
                    error = CheckWord(uaddr, userEnd);
                    return error != 0 ? error : CheckWord(uaddr2, userEnd);
                case FutexCommand.WakeOp:
                    // Negative counts are no error here (Linux wakes one, see FutexTable.Wake).
                    request.Word2 = uaddr2;
                    error = CheckWord(uaddr, userEnd);
                    return error != 0 ? error : CheckWord(uaddr2, userEnd);
                default:
                    return Errno.ENOSYS;   // unreachable: Check() accepted only supported commands
            }
        }

        // The part of get_futex_key that needs no memory: a futex word is a u32
        // (EINVAL if not 4-byte aligned) inside user space (EFAULT, access_ok).
        public static int CheckWord(ulong uaddr, ulong userEnd)
        {
            if ((uaddr & 3) != 0) return Errno.EINVAL;
            if (uaddr >= userEnd || userEnd - uaddr < 4) return Errno.EFAULT;
            return 0;
        }
    }
}
