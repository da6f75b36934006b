using Sticky.Futex;
using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // What a thread's end does to the futexes it holds (Linux's futex_cleanup):
    // its robust list (set_robust_list) is walked and every mutex it still
    // owns is marked FUTEX_OWNER_DIED and one waiter woken; then every PI
    // lock it owns with waiters goes to the top waiter, which finds
    // OWNER_DIED in the word (FutexPi.TakeOver). A waiter on a dead owner's
    // lock never sleeps forever.
    public static unsafe partial class Futexes
    {
        public const int RobustListHeadSize = 24;   // struct robust_list_head
        private const int RobustListLimit = 2048;   // ROBUST_LIST_LIMIT: a circular list cannot hang the exit

        public static void OnThreadExit(Thread t)
        {
            if (t.RobustList != 0) WalkRobustList(t);
            t.RobustList = 0;
            ulong flags = Scheduler.Lock();
            t.PiExited = true;   // under the lock CheckOwner looks under: no waiter queues behind it from now on
            Scheduler.Unlock(flags);
            if (_piWaiters > 0) HandOverPiLocksOf(t.Id);
        }

        // execve, before the old image goes (Linux's futex_exec_release): the
        // locks the old program held are released the same way; the thread
        // lives on with no robust list.
        public static void OnExec(Thread t)
        {
            if (t.RobustList != 0) WalkRobustList(t);
            t.RobustList = 0;
            if (_piWaiters > 0) HandOverPiLocksOf(t.Id);
        }

        private static void WalkRobustList(Thread t)
        {
            ulong head = t.RobustList;
            if (!UserMemory.Read(head, out ulong next) || !UserMemory.Read(head + 8, out long offset) ||
                !UserMemory.Read(head + 16, out ulong pending))
                return;
            ulong pendingEntry = pending & ~1UL;
            for (int i = 0; i < RobustListLimit && (next & ~1UL) != head; i++)
            {
                ulong entry = next & ~1UL;
                bool pi = (next & 1) != 0;
                if (!UserMemory.Read(entry, out next)) return;
                if (entry != pendingEntry) OwnerDies(t, entry + (ulong)offset, pi, false);
            }
            if (pendingEntry != 0) OwnerDies(t, pendingEntry + (ulong)offset, (pending & 1) != 0, true);
        }

        // Linux's handle_futex_death.
        private static void OwnerDies(Thread t, ulong address, bool pi, bool pendingOp)
        {
            if ((address & 3) != 0 || !UserMemory.IsUserRange(address, 4)) return;
            for (int attempt = 0; attempt < 64; attempt++)
            {
                if (!UserMemory.Read(address, out uint old)) return;
                // A lock being taken when the thread died, still free: wake one
                // waiter so that it can take it (its owner will never come).
                if (pendingOp && !pi && old == 0) { Wake(address, privateOp: false, 1, FutexOp.BitsetMatchAny); return; }
                if (!FutexPiWord.OwnerDies(old, t.Id, out uint next)) return;
                int swapped = SwapUserWord(address, old, next);
                if (swapped < 0) return;
                if (swapped == 0) continue;
                if (!pi && (old & FutexPiWord.Waiters) != 0) Wake(address, privateOp: false, 1, FutexOp.BitsetMatchAny);
                return;
            }
        }

        // Compare-and-swap on a user word: 1 swapped, 0 it changed, -1 unmapped.
        private static int SwapUserWord(ulong address, uint old, uint value)
        {
            Process p = Processes.Current;
            var locked = p.LockSpace();
            if (locked == null) return -1;
            int err = Locate(p, address, privateOp: false, forWait: true, forWrite: true, out Word word, out _);
            int result = err != 0 ? -1 : Cas(word.Pointer, old, value) ? 1 : 0;
            Process.UnlockSpace(locked);
            return result;
        }

        // Every PI lock `tid` owns with waiters: its top waiter is woken to take it over.
        private static void HandOverPiLocksOf(int tid)
        {
            for (int b = 0; b < _table.BucketCount; b++)
            {
                ulong flags = _bucketLocks[b].AcquireIrqSave();
                FutexWaiter w;
                while ((w = _table.FirstPiWaiterOwnedBy(b, tid)) != null)
                {
                    FutexKey key = w.Key;
                    FutexWaiter top = _table.TopWaiter(key);
                    top.PiOwner = tid;   // TakeOver accepts the word still naming the dead owner
                    HandOver(top, key, FutexPiOutcome.OwnerDied);
                }
                _bucketLocks[b].ReleaseIrqRestore(flags);
            }
        }

        public static long SetRobustList(ulong head, ulong length)
        {
            if (length != RobustListHeadSize) return -Errno.EINVAL;
            Scheduler.Current.RobustList = head;
            return 0;
        }

        public static long GetRobustList(int tid, ulong headOut, ulong lengthOut)
        {
            ulong head;
            if (tid == 0) head = Scheduler.Current.RobustList;
            else
            {
                ulong flags = Scheduler.Lock();
                Thread t = FindThreadLocked(tid);
                head = t != null ? t.RobustList : 0;
                Scheduler.Unlock(flags);
                if (t == null) return -Errno.ESRCH;
            }
            if (!UserMemory.Write(headOut, head) || !UserMemory.Write(lengthOut, (ulong)RobustListHeadSize)) return -Errno.EFAULT;
            return 0;
        }
    }
}
