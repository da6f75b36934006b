using Sticky.Arch;
using Sticky.Futex;
using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;

namespace Sticky.Sys
{
    // PI futexes (docs/futex.md, "PI futexes"): FUTEX_LOCK_PI, LOCK_PI2,
    // TRYLOCK_PI, UNLOCK_PI, WAIT_REQUEUE_PI and CMP_REQUEUE_PI. The word
    // holds the owner's tid (FutexPiWord); the kernel queues the waiters in
    // the same table as every futex, ordered by priority, and an unlock hands
    // the lock to the top waiter directly (its tid goes into the word before
    // it runs). Keys, pins and COW breaks are those of every futex, so the
    // three designs and the sticky rules hold for PI waiters too.
    public static unsafe partial class Futexes
    {
        private static int _piWaiters;   // queued PI and requeue-PI waiters: a thread's exit scans only if some exist

        private static FutexWaiter WaiterOf(Thread t)
        {
            if (t.FutexWaiter == null) t.FutexWaiter = new FutexWaiter();
            return t.FutexWaiter;
        }

        private static bool Cas(uint* p, uint old, uint value) => (uint)Atomic.CompareExchange((int*)p, (int)value, (int)old) == old;

        private static void CountPiWaiter(int delta)
        {
            fixed (int* c = &_piWaiters) Atomic.Add(c, delta);
        }

        // ---- lock ----------------------------------------------------------------

        private static long LockPi(ulong address, bool privateOp, long deadline, bool trylock)
        {
            Process p = Processes.Current;
            Thread self = Scheduler.Current;
            FutexWaiter w = WaiterOf(self);
            while (true)
            {
                int err = LockPiWord(p, address, privateOp, out var locked, out Word word, out int bucket, out ulong flags);
                if (err != 0) return err;
                uint old = Volatile(word.Pointer);
                FutexPiWord.LockStep step = FutexPiWord.Lock(old, self.Id, _table.TopWaiter(word.Key) != null, out uint next);
                bool retry = false;
                long result = 0;
                if (step == FutexPiWord.LockStep.Deadlock) result = -Errno.EDEADLK;
                else if (!Cas(word.Pointer, old, next)) retry = true;   // the word changed under us: look again
                else if (step == FutexPiWord.LockStep.MustWait)
                    result = trylock ? -Errno.EAGAIN : CheckOwner(FutexPiWord.OwnerOf(old), self);
                bool wait = !retry && result == 0 && step == FutexPiWord.LockStep.MustWait;
                if (!wait)
                {
                    _bucketLocks[bucket].ReleaseIrqRestore(flags);
                    Process.UnlockSpace(locked);
                    if (retry) continue;
                    return result;
                }
                w.Prepare(word.Key, FutexOp.BitsetMatchAny, self);
                w.Kind = FutexWaitKind.PiLock;
                w.PiOwner = FutexPiWord.OwnerOf(old);
                w.Priority = self.SchedPriority;
                w.Tid = self.Id;
                FutexPins.Take(KernelMemory.Frames, _design, w);
                _table.Enqueue(w);
                CountPiWaiter(1);
                self.FutexWord = address;
                Process.UnlockSpace(locked);   // queued and pinned: the space may change now
                Scheduler.LockNested();
                _bucketLocks[bucket].Release();
                WakeReason reason = Scheduler.BlockLocked((ulong)deadline, flags);
                self.FutexWord = 0;
                return FinishPiWait(w, reason, default, address, privateOp, deadline);
            }
        }

        // The owner must be a live thread (ESRCH), and waiting for it must not
        // close a circle of PI waits (EDEADLK, as Linux's rt_mutex chain walk).
        private static long CheckOwner(int owner, Thread self)
        {
            Scheduler.LockNested();
            long result = 0;
            Thread o = FindThreadLocked(owner);
            if (o == null || o.PiExited) result = -Errno.ESRCH;
            for (int depth = 0; result == 0 && o != null && depth < 1024; depth++)
            {
                // Whom o waits for: its queued PI wait's owner (kept current by
                // every handoff), or nobody.
                FutexWaiter ow = o.FutexWaiter;
                int next = ow != null && ow.Queued && ow.Kind == FutexWaitKind.PiLock ? ow.PiOwner : 0;
                if (next == 0) break;
                if (next == self.Id) result = -Errno.EDEADLK;
                o = FindThreadLocked(next);
            }
            Scheduler.UnlockNested();
            return result;
        }

        private static Thread FindThreadLocked(int tid)
        {
            for (Thread t = Scheduler.AllThreads; t != null; t = t.NextAll)
                if (t.Id == tid && t.Process != null && t.State != ThreadState.Dead) return t;
            return null;
        }

        // After a PI wait (LOCK_PI, or WAIT_REQUEUE_PI once requeued or woken):
        // 0 if the lock was handed over, a takeover if its owner ended, else
        // what ended the wait. `firstKey`: WAIT_REQUEUE_PI's first word (a
        // signal before the requeue restarts the call, after it is EWOULDBLOCK).
        private static long FinishPiWait(FutexWaiter w, WakeReason reason, in FutexKey firstKey, ulong lockAddress, bool privateOp, long deadline)
        {
            if (reason != WakeReason.Woken && DequeuePi(w, out FutexKey was))
            {
                if (reason == WakeReason.TimedOut) return -Errno.ETIMEDOUT;
                bool requeuePi = !firstKey.IsNone;
                return !requeuePi || was == firstKey ? -SyscallRestart.ERESTARTNOINTR : -Errno.EAGAIN;
            }
            switch (w.Outcome)
            {
                case FutexPiOutcome.Acquired: return 0;
                case FutexPiOutcome.OwnerDied: return TakeOver(lockAddress, privateOp, w.PiOwner, deadline);
                default: return -Errno.EAGAIN;   // woken by something else than the lock (EWOULDBLOCK)
            }
        }

        // A waiter's own removal (timeout, signal, exit): false if someone
        // dequeued it first (it then looks at its Outcome).
        private static bool DequeuePi(FutexWaiter w, out FutexKey key)
        {
            while (true)
            {
                key = default;
                int b = w.Bucket;   // which lock to take; checked again under it (FutexTable.Leave)
                if (b < 0) return false;
                ulong flags = _bucketLocks[b].AcquireIrqSave();
                FutexKey was = w.Key;
                FutexTable.LeaveResult r = _table.Leave(w, b);
                if (r == FutexTable.LeaveResult.Removed) { key = was; FutexPins.Release(KernelMemory.Frames, w); CountPiWaiter(-1); }
                _bucketLocks[b].ReleaseIrqRestore(flags);
                if (r != FutexTable.LeaveResult.Moved) return r == FutexTable.LeaveResult.Removed;
            }
        }

        // The lock's owner ended while this thread waited (its exit woke the
        // top waiter): the lock is this thread's, marked OWNER_DIED, as Linux's
        // fixup_pi_state_owner does; unless another thread took it meanwhile,
        // then this one waits again.
        private static long TakeOver(ulong address, bool privateOp, int deadOwner, long deadline)
        {
            Process p = Processes.Current;
            Thread self = Scheduler.Current;
            while (true)
            {
                int err = LockPiWord(p, address, privateOp, out var locked, out Word word, out int bucket, out ulong flags);
                if (err != 0) return err;
                uint old = Volatile(word.Pointer);
                int owner = FutexPiWord.OwnerOf(old);
                bool mine = owner == 0 || owner == deadOwner;
                bool done = mine && Cas(word.Pointer, old, FutexPiWord.TakeOver(old, self.Id, true) | FutexPiWord.OwnerDied);
                if (done) _table.SetPiOwner(word.Key, self.Id);
                _bucketLocks[bucket].ReleaseIrqRestore(flags);
                Process.UnlockSpace(locked);
                if (done) return 0;
                if (!mine) return LockPi(address, privateOp, deadline, trylock: false);
            }
        }

        // The PI word at `address` with its space's lock and then its bucket's
        // lock held, COW broken for the write a PI op may make; or the error,
        // with nothing held.
        private static int LockPiWord(Process p, ulong address, bool privateOp, out AddressSpace<DirectMap, CpuTlb> locked,
                                      out Word word, out int bucket, out ulong flags)
        {
            locked = p.LockSpace();
            int err = Locate(p, address, privateOp, forWait: true, forWrite: true, out word, out _);
            if (err != 0) { Process.UnlockSpace(locked); bucket = 0; flags = 0; return err; }
            bucket = _table.BucketIndexOf(word.Key);
            flags = _bucketLocks[bucket].AcquireIrqSave();
            return 0;
        }

        // ---- unlock --------------------------------------------------------------

        private static long UnlockPi(ulong address, bool privateOp)
        {
            Process p = Processes.Current;
            Thread self = Scheduler.Current;
            while (true)
            {
                int err = LockPiWord(p, address, privateOp, out var locked, out Word word, out int bucket, out ulong flags);
                if (err != 0) return err;
                uint old = Volatile(word.Pointer);
                FutexWaiter top = _table.TopWaiter(word.Key);
                long result;
                if (!FutexPiWord.Unlock(old, self.Id, top != null ? top.Tid : 0, out uint next)) result = -Errno.EPERM;
                else if (!Cas(word.Pointer, old, next)) result = 1;
                else
                {
                    result = 0;
                    if (top != null) HandOver(top, word.Key, FutexPiOutcome.Acquired);
                }
                _bucketLocks[bucket].ReleaseIrqRestore(flags);
                Process.UnlockSpace(locked);
                if (result != 1) return result;
            }
        }

        // Bucket lock held: `w` leaves the queue owning the lock (or told its
        // owner died); the other waiters now wait for it.
        private static void HandOver(FutexWaiter w, in FutexKey key, FutexPiOutcome outcome)
        {
            _table.Take(w);
            CountPiWaiter(-1);
            w.Outcome = outcome;
            _table.SetPiOwner(key, w.Tid);
            WakeChain(w);
        }

        // ---- requeue PI ----------------------------------------------------------

        private static long WaitRequeuePi(in FutexRequest req, long deadline)
        {
            Process p = Processes.Current;
            Thread self = Scheduler.Current;
            FutexWaiter w = WaiterOf(self);
            var locked = p.LockSpace();
            int err = Locate(p, req.Word, req.Op.IsPrivate, forWait: true, forWrite: false, out Word word, out _);
            Word target = default;
            if (err == 0) err = Locate(p, req.Word2, req.Op.IsPrivate, forWait: true, forWrite: true, out target, out _);
            if (err != 0) { Process.UnlockSpace(locked); return err; }
            int bucket = _table.BucketIndexOf(word.Key);
            ulong flags = _bucketLocks[bucket].AcquireIrqSave();
            if (Volatile(word.Pointer) != req.Value)
            {
                _bucketLocks[bucket].ReleaseIrqRestore(flags);
                Process.UnlockSpace(locked);
                return -Errno.EAGAIN;
            }
            FutexKey first = word.Key;
            w.Prepare(first, FutexOp.BitsetMatchAny, self);
            w.Kind = FutexWaitKind.RequeuePi;
            w.RequeueTarget = target.Key;
            w.Priority = self.SchedPriority;
            w.Tid = self.Id;
            FutexPins.Take(KernelMemory.Frames, _design, w);
            _table.Enqueue(w);
            CountPiWaiter(1);
            self.FutexWord = req.Word;
            Process.UnlockSpace(locked);   // queued and pinned: the space may change now
            Scheduler.LockNested();
            _bucketLocks[bucket].Release();
            WakeReason reason = Scheduler.BlockLocked((ulong)deadline, flags);
            self.FutexWord = 0;
            return FinishPiWait(w, reason, first, req.Word2, req.Op.IsPrivate, deadline);
        }

        // FUTEX_CMP_REQUEUE_PI: the top waiter of the first word takes the PI
        // lock if it is free (it returns owning it); the others, up to
        // nr_requeue more (the top too if the lock is held), wait for the lock.
        private static long CmpRequeuePi(in FutexRequest req)
        {
            Process p = Processes.Current;
            var locked = p.LockSpace();
            int err = Locate(p, req.Word, req.Op.IsPrivate, forWait: true, forWrite: false, out Word from, out _);
            Word to = default;
            if (err == 0) err = Locate(p, req.Word2, req.Op.IsPrivate, forWait: true, forWrite: true, out to, out _);
            if (err != 0) { Process.UnlockSpace(locked); return err; }
            ulong flags = Cpu.SaveAndDisableInterrupts();
            LockPair(from.Key, to.Key, out int b1, out int b2);
            long result;
            if (Volatile(from.Pointer) != req.Value3) result = -Errno.EAGAIN;
            else if (_table.HasMismatchedRequeuePi(from.Key, to.Key)) result = -Errno.EINVAL;
            else result = RequeuePiLocked(from.Key, to, req.Count2);
            UnlockPair(b1, b2);
            Cpu.RestoreInterrupts(flags);
            Process.UnlockSpace(locked);
            return result;
        }

        private static long RequeuePiLocked(in FutexKey from, in Word to, int nrRequeue)
        {
            FutexWaiter top = _table.TopWaiter(from);
            if (top == null) return 0;
            long count = 0, limit = 1L + nrRequeue;
            while (true)
            {
                uint old = Volatile(to.Pointer);
                FutexPiWord.LockStep step = FutexPiWord.Lock(old, top.Tid, true, out uint next);
                if (step == FutexPiWord.LockStep.Deadlock) return -Errno.EDEADLK;
                if (step == FutexPiWord.LockStep.MustWait) break;
                if (!Cas(to.Pointer, old, next)) continue;
                HandOver(top, from, FutexPiOutcome.Acquired);
                count = 1;
                break;
            }
            while (count < limit)
            {
                FutexWaiter w = _table.TopWaiter(from);
                if (w == null) break;
                uint old = Volatile(to.Pointer);
                if ((old & FutexPiWord.Waiters) == 0 && !Cas(to.Pointer, old, old | FutexPiWord.Waiters)) continue;
                int owner = FutexPiWord.OwnerOf(old);
                if (count == 0 && owner != 0)
                {
                    long check = CheckOwner(owner, (Thread)w.Owner);
                    if (check != 0) return check;
                }
                _table.Move(w, to.Key);
                w.Kind = FutexWaitKind.PiLock;
                w.PiOwner = owner;
                FutexPins.MoveAfterRequeue(KernelMemory.Frames, _design, w);
                count++;
            }
            return count;
        }
    }
}
