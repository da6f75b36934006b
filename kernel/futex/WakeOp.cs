namespace Sticky.Futex
{
    // FUTEX_WAKE_OP's val3: an operation to apply to the word at uaddr2 and a
    // comparison of that word's OLD value that decides whether uaddr2's waiters
    // are woken too.
    //
    //   bit 31      OPARG_SHIFT: the operand is 1 << oparg
    //   bits 28-30  op   SET ADD OR ANDN XOR (0-4)
    //   bits 24-27  cmp  EQ NE LT LE GT GE (0-5)
    //   bits 12-23  oparg, signed 12 bits
    //   bits  0-11  cmparg, signed 12 bits
    //
    // Linux order (futex_atomic_op_inuser, x86): the shift operand is clamped,
    // an unknown op fails with ENOSYS BEFORE the word is touched, the op is
    // applied atomically, and only then the comparison runs: an unknown cmp
    // fails with ENOSYS AFTER the word was changed, and nobody is woken.
    // Checked on Linux 6.18. The glue does:
    //   if (!w.OpIsValid) return -ENOSYS;
    //   atomically { old = *uaddr2; *uaddr2 = w.Apply(old); }   (EFAULT if unmapped/read-only)
    //   if (w.Compare(old, out bool wakeSecond) != 0) return -ENOSYS;
    //   woken = wake(key1, Count); if (wakeSecond) woken += wake(key2, Count2)
    public readonly struct WakeOp
    {
        public const int OpSet = 0, OpAdd = 1, OpOr = 2, OpAndNot = 3, OpXor = 4;
        public const int OpArgShiftFlag = 8;   // in the 4-bit op field
        public const int CmpEq = 0, CmpNe = 1, CmpLt = 2, CmpLe = 3, CmpGt = 4, CmpGe = 5;

        public readonly int Op;          // 0-7, valid 0-4
        public readonly int Cmp;         // 0-15, valid 0-5
        public readonly int OpArg;       // the operand, after the shift (if any)
        public readonly int CmpArg;
        public readonly bool Shift;
        // The shift was outside 0..31 and got masked to its low 5 bits, as Linux
        // does (it logs "fix this program" and carries on); the glue may log it.
        public readonly bool ShiftWasClamped;

        private WakeOp(int op, int cmp, int opArg, int cmpArg, bool shift, bool clamped)
        {
            Op = op; Cmp = cmp; OpArg = opArg; CmpArg = cmpArg; Shift = shift; ShiftWasClamped = clamped;
        }

        public static WakeOp Decode(uint encoded)
        {
            int op = (int)((encoded >> 28) & 7);
            bool shift = (encoded & ((uint)OpArgShiftFlag << 28)) != 0;
            int cmp = (int)((encoded >> 24) & 15);
            int opArg = SignExtend12((encoded >> 12) & 0xFFF);
            int cmpArg = SignExtend12(encoded & 0xFFF);
            bool clamped = false;
            if (shift)
            {
                if (opArg < 0 || opArg > 31) { opArg &= 31; clamped = true; }
                opArg = 1 << opArg;
            }
            return new WakeOp(op, cmp, opArg, cmpArg, shift, clamped);
        }

        public static int SignExtend12(uint bits) => ((int)(bits << 20)) >> 20;

        public bool OpIsValid => Op <= OpXor;
        public bool CmpIsValid => Cmp <= CmpGe;

        // The new value of the word. Only for a valid op (panics otherwise: the
        // glue must have returned ENOSYS first).
        public int Apply(int old)
        {
            switch (Op)
            {
                case OpSet: return OpArg;
                case OpAdd: return unchecked(old + OpArg);
                case OpOr: return old | OpArg;
                case OpAndNot: return old & ~OpArg;
                case OpXor: return old ^ OpArg;
                default: throw new System.InvalidOperationException("WakeOp.Apply: invalid op (caller must check OpIsValid)");
            }
        }

        // Compares the OLD value (signed) with CmpArg. 0, or ENOSYS for an
        // unknown comparison (wakeSecond is then false).
        public int Compare(int old, out bool wakeSecond)
        {
            switch (Cmp)
            {
                case CmpEq: wakeSecond = old == CmpArg; return 0;
                case CmpNe: wakeSecond = old != CmpArg; return 0;
                case CmpLt: wakeSecond = old < CmpArg; return 0;
                case CmpLe: wakeSecond = old <= CmpArg; return 0;
                case CmpGt: wakeSecond = old > CmpArg; return 0;
                case CmpGe: wakeSecond = old >= CmpArg; return 0;
                default: wakeSecond = false; return Errno.ENOSYS;
            }
        }
    }
}
