using Sticky.Arch;
using Sticky.Debug;
using Sticky.Futex;
using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // FUTEX_REQUEUE, FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP: the operations on two
    // words, which lock both buckets (lower index first).
    public static unsafe partial class Futexes
    {
        // ---- requeue and wake-op ------------------------------------------

        private static long Requeue(in FutexRequest req, bool compare)
        {
            Process p = Processes.Current;
            var locked = p.LockSpace();   // held until the moved pins are taken: the frames stay put
            bool priv = req.Op.IsPrivate;   // applies to both words, as in Linux
            int err = Locate(p, req.Word, priv, forWait: true, forWrite: false, out Word from, out _);
            Word to = default;
            if (err == 0) err = Locate(p, req.Word2, priv, forWait: true, forWrite: false, out to, out _);   // the target: as for a wait
            if (err != 0) { Process.UnlockSpace(locked); return err; }
            ulong flags = Cpu.SaveAndDisableInterrupts();
            LockPair(from.Key, to.Key, out int b1, out int b2);
            long result;
            if (compare && Volatile(from.Pointer) != req.Value3) result = -Errno.EAGAIN;
            else if (_table.HasNonPlainWaiter(from.Key)) result = -Errno.EINVAL;   // WAIT_REQUEUE_PI waiters need CMP_REQUEUE_PI
            else
            {
                FutexRequeueResult r = _table.Requeue(from.Key, to.Key, req.Count, req.Count2);
                for (FutexWaiter w = r.Requeued; w != null; w = w.NextInChain)
                    FutexPins.MoveAfterRequeue(KernelMemory.Frames, _design, w);
                WakeChain(r.Woken);
                result = r.WokenCount + r.RequeuedCount;
            }
            UnlockPair(b1, b2);
            Cpu.RestoreInterrupts(flags);
            Process.UnlockSpace(locked);
            return result;
        }

        private static long WakeOp(in FutexRequest req)
        {
            var op = Sticky.Futex.WakeOp.Decode(req.Value3);
            if (!op.OpIsValid) return -Errno.ENOSYS;
            Process p = Processes.Current;
            var locked = p.LockSpace();   // held until the second word is updated: its frame stays put
            bool priv = req.Op.IsPrivate;
            int err = Locate(p, req.Word2, priv, forWait: false, forWrite: true, out Word second, out _);
            Word first = default;
            bool firstAbsent = false;
            if (err == 0) err = Locate(p, req.Word, priv, forWait: false, forWrite: false, out first, out firstAbsent);
            if (err != 0) { Process.UnlockSpace(locked); return err; }
            ulong flags = Cpu.SaveAndDisableInterrupts();
            FutexKey firstKey = firstAbsent ? second.Key : first.Key;   // an absent page has no waiters: any key locks fine
            LockPair(firstKey, second.Key, out int b1, out int b2);
            // Atomic against user threads changing the word (and other CPUs, with SMP).
            int old, desired;
            do { old = (int)Volatile(second.Pointer); desired = op.Apply(old); }
            while (Atomic.CompareExchange((int*)second.Pointer, desired, old) != old);
            long result;
            if (op.Compare(old, out bool wakeSecond) != 0) result = -Errno.ENOSYS;
            else
            {
                int n = 0;
                if (!firstAbsent)
                {
                    n = _table.Wake(first.Key, req.Count, FutexOp.BitsetMatchAny, out FutexWaiter c1);
                    WakeChain(c1);
                }
                if (wakeSecond)
                {
                    int n2 = _table.Wake(second.Key, req.Count2, FutexOp.BitsetMatchAny, out FutexWaiter c2);
                    WakeChain(c2);
                    n += n2;
                }
                result = n;
            }
            UnlockPair(b1, b2);
            Cpu.RestoreInterrupts(flags);
            Process.UnlockSpace(locked);
            return result;
        }

        private static void LockPair(in FutexKey a, in FutexKey b, out int first, out int second)
        {
            int x = _table.BucketIndexOf(a), y = _table.BucketIndexOf(b);
            first = x < y ? x : y;
            second = x < y ? y : x;
            _bucketLocks[first].Acquire();
            if (second != first) _bucketLocks[second].Acquire();
        }

        private static void UnlockPair(int first, int second)
        {
            if (second != first) _bucketLocks[second].Release();
            _bucketLocks[first].Release();
        }

        // One read of the word as it is now (user threads may change it at any time).
    }
}
