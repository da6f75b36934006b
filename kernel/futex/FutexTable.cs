using Sticky.Mm;

namespace Sticky.Futex
{
    // The result of FutexTable.Requeue: two chains (linked through
    // FutexWaiter.NextInChain, in queue order) and their lengths. The syscall
    // returns WokenCount + RequeuedCount.
    public struct FutexRequeueResult
    {
        public FutexWaiter Woken;        // dequeued: wake each, release its pin
        public FutexWaiter Requeued;     // still queued, now on the target key: move pins
        public int WokenCount;
        public int RequeuedCount;
    }

    // Every queued futex waiter, hashed by key into a power-of-two number of
    // buckets; each bucket is a FIFO doubly-linked list (waiters of one key are
    // woken in the order they queued).
    //
    // Locking is the glue's: one lock per bucket, this class holds none.
    // BucketIndexOf tells which bucket an operation touches; an operation on two
    // keys (Requeue, WAKE_OP) locks both buckets in ascending index order (once
    // if equal). Every method that takes a key needs that key's bucket locked;
    // Remove and Leave need waiter.Bucket locked; Requeue needs both buckets.
    //
    // A waiter belongs to the table (FutexWaiter.Bucket >= 0) from Enqueue
    // until its own thread removes it (Remove/Leave: timeout, signal, exit) or
    // a waker that dequeued it (Wake, Requeue's woken) is done with it
    // (Finish), under the bucket lock throughout. The thread reads Bucket
    // without the lock only to learn which lock to take, and decides under it
    // (Leave): so a timeout racing a requeue follows the waiter to its new
    // bucket instead of returning while it is still queued and pinned, and a
    // timeout racing a wake returns only after the waker has read the chain
    // link and released the pin, so a new wait cannot break the waker's chain.
    public sealed class FutexTable
    {
        public const int DefaultBucketCount = 256;

        private readonly FutexWaiter[] _head;
        private readonly FutexWaiter[] _tail;
        private readonly int[] _count;     // waiters per bucket (a waker's "anyone there?" check)
        private readonly int _mask;

        public FutexTable(int bucketCount = DefaultBucketCount)
        {
            if (bucketCount <= 0 || (bucketCount & (bucketCount - 1)) != 0)
                throw new System.ArgumentException("FutexTable: bucket count must be a power of two");
            _head = new FutexWaiter[bucketCount];
            _tail = new FutexWaiter[bucketCount];
            _count = new int[bucketCount];
            _mask = bucketCount - 1;
        }

        public int BucketCount => _head.Length;

        public int BucketIndexOf(in FutexKey key) => (int)(key.Hash() & (ulong)_mask);

        // ---- queueing ---------------------------------------------------------

        // Appends a prepared waiter (FutexWaiter.Prepare) to its key's bucket.
        public void Enqueue(FutexWaiter w)
        {
            if (w.Queued) throw new System.InvalidOperationException("FutexTable.Enqueue: waiter already queued");
            if (w.Key.IsNone) throw new System.InvalidOperationException("FutexTable.Enqueue: waiter has no key");
            Append(BucketIndexOf(w.Key), w);
        }

        // The timeout / signal / exit path, with w.Bucket's lock held. True if
        // the waiter was still queued (it gave up: the caller releases its pin
        // and returns ETIMEDOUT/EINTR); false if a wake got it first and is done
        // with it (the caller returns 0: it was woken).
        public bool Remove(FutexWaiter w)
        {
            if (w.Bucket < 0) return false;
            if (!w.Queued)
                throw new System.InvalidOperationException("FutexTable.Remove: a waker dequeued the waiter and has not finished with it (it holds this bucket's lock until it has)");
            Unlink(w);
            w.Bucket = -1;
            return true;
        }

        public enum LeaveResult { Removed, Woken, Moved }

        // The thread of `w` gives up its wait. It read w.Bucket without a lock
        // and has locked bucket `locked` since: Removed (it was still queued:
        // release its pin), Woken (a waker took it and is done with it), or
        // Moved (a requeue moved it to another bucket: lock that one and ask again).
        public LeaveResult Leave(FutexWaiter w, int locked)
        {
            if (w.Bucket != locked) return w.Bucket < 0 ? LeaveResult.Woken : LeaveResult.Moved;
            return Remove(w) ? LeaveResult.Removed : LeaveResult.Woken;
        }

        // A waker's last touch of a waiter it dequeued (Wake, Requeue's woken
        // chain), with the bucket lock still held: after it released the pin,
        // woke the thread and read NextInChain. From here the waiter is its
        // thread's again.
        public static void Finish(FutexWaiter w) => w.Bucket = -1;

        // Dequeues up to `count` waiters of `key` whose bitset shares a bit with
        // `bitset`, oldest first, and returns how many; `woken` is their chain.
        // As Linux, a count of 0 or less still wakes one (the count is checked
        // after each wake; FUTEX_WAKE with val 0 wakes 1 on Linux 6.18 too).
        public int Wake(in FutexKey key, int count, uint bitset, out FutexWaiter woken)
        {
            woken = null;
            int b = BucketIndexOf(key);
            FutexWaiter chainTail = null;
            int n = 0;
            for (FutexWaiter w = _head[b]; w != null;)
            {
                FutexWaiter next = w.Next;
                if (w.Key == key && (w.Bitset & bitset) != 0)
                {
                    Unlink(w);
                    AppendToChain(ref woken, ref chainTail, w);
                    if (++n >= count) break;
                }
                w = next;
            }
            return n;
        }

        // FUTEX_REQUEUE / FUTEX_CMP_REQUEUE on locked buckets of both keys: walks
        // `from`'s waiters oldest first, wakes the first nrWake and moves up to
        // nrRequeue more to `to` (behind the waiters already there, in order).
        // Counts are exact (0 wakes none), as in Linux's futex_requeue. The moved
        // waiters' keys change: under Sticky their pins must move too
        // (FutexPins.MoveAfterRequeue for each waiter on result.Requeued).
        // from == to leaves the requeued waiters where they are (Linux does the same).
        public FutexRequeueResult Requeue(in FutexKey from, in FutexKey to, int nrWake, int nrRequeue)
        {
            if (nrWake < 0 || nrRequeue < 0) throw new System.ArgumentException("FutexTable.Requeue: negative count (the syscall returns EINVAL)");
            var r = default(FutexRequeueResult);
            FutexWaiter wokenTail = null, movedTail = null;
            bool sameKey = from == to;
            int taken = 0;
            for (FutexWaiter w = _head[BucketIndexOf(from)]; w != null;)
            {
                if (taken - nrWake >= nrRequeue) break;
                FutexWaiter next = w.Next;
                if (w.Key == from)
                {
                    taken++;
                    if (taken <= nrWake)
                    {
                        Unlink(w);
                        AppendToChain(ref r.Woken, ref wokenTail, w);
                        r.WokenCount++;
                    }
                    else
                    {
                        if (!sameKey) Unlink(w);
                        AppendToChain(ref r.Requeued, ref movedTail, w);
                        r.RequeuedCount++;
                    }
                }
                w = next;
            }
            if (!sameKey)
            {
                int target = BucketIndexOf(to);
                for (FutexWaiter w = r.Requeued; w != null; w = w.ChainNext)
                {
                    w.Key = to;
                    Append(target, w);
                }
            }
            return r;
        }

        // ---- PI ---------------------------------------------------------------

        // The waiter a PI unlock hands `key` to (plain waiters never take a PI lock): the highest priority, the
        // oldest among equals (Linux's rt_mutex order). Null if none.
        public FutexWaiter TopWaiter(in FutexKey key)
        {
            FutexWaiter top = null;
            for (FutexWaiter w = _head[BucketIndexOf(key)]; w != null; w = w.Next)
                if (w.Key == key && w.Kind != FutexWaitKind.Plain && (top == null || w.Priority > top.Priority)) top = w;
            return top;
        }

        // A waiter in `bucket` for a PI lock owned by `tid` (that thread is ending).
        public FutexWaiter FirstPiWaiterOwnedBy(int bucket, int tid)
        {
            for (FutexWaiter w = _head[bucket]; w != null; w = w.Next)
                if (w.Kind == FutexWaitKind.PiLock && w.PiOwner == tid) return w;
            return null;
        }

        // Whether any waiter of `key` is of another kind than a plain wait
        // (FUTEX_WAKE and plain requeues refuse such futexes with EINVAL).
        public bool HasNonPlainWaiter(in FutexKey key)
        {
            for (FutexWaiter w = _head[BucketIndexOf(key)]; w != null; w = w.Next)
                if (w.Key == key && w.Kind != FutexWaitKind.Plain) return true;
            return false;
        }

        // Whether any waiter of `key` is not a WAIT_REQUEUE_PI waiter targeting
        // `target` (FUTEX_CMP_REQUEUE_PI then fails with EINVAL).
        public bool HasMismatchedRequeuePi(in FutexKey key, in FutexKey target)
        {
            for (FutexWaiter w = _head[BucketIndexOf(key)]; w != null; w = w.Next)
                if (w.Key == key && (w.Kind != FutexWaitKind.RequeuePi || w.RequeueTarget != target)) return true;
            return false;
        }

        // Dequeues one waiter (a PI handoff, an acquisition by proxy, an owner's death).
        public void Take(FutexWaiter w)
        {
            if (!w.Queued) throw new System.InvalidOperationException("FutexTable.Take: waiter not queued");
            Unlink(w);
            w.ChainNext = null;
        }

        // Moves one queued waiter to `to` (behind its waiters): CMP_REQUEUE_PI.
        // Both buckets locked. The caller moves the pin (FutexPins.MoveAfterRequeue).
        public void Move(FutexWaiter w, in FutexKey to)
        {
            if (!w.Queued) throw new System.InvalidOperationException("FutexTable.Move: waiter not queued");
            Unlink(w);
            w.Key = to;
            Append(BucketIndexOf(to), w);
        }

        // Every PI waiter of `key` now waits for `owner` (after a handoff).
        public void SetPiOwner(in FutexKey key, int owner)
        {
            for (FutexWaiter w = _head[BucketIndexOf(key)]; w != null; w = w.Next)
                if (w.Key == key && w.Kind == FutexWaitKind.PiLock) w.PiOwner = owner;
        }

        // ---- queries ----------------------------------------------------------

        // Waiters in one bucket: zero means a waker of any key there has nothing to do.
        public int WaitersIn(int bucket) => _count[bucket];

        // Diagnostic walk (kernel monitor), one bucket at a time under its lock:
        //   for (w = table.FirstIn(b); w != null; w = w.NextInBucket) print w.Key, w.Owner, w.PinnedFrame
        public FutexWaiter FirstIn(int bucket) => _head[bucket];

        // How many waiters wait on `key` (tests, diagnostics).
        public int CountOn(in FutexKey key)
        {
            int n = 0;
            for (FutexWaiter w = _head[BucketIndexOf(key)]; w != null; w = w.Next)
                if (w.Key == key) n++;
            return n;
        }

        // For a table that is not the kernel's one (self-tests): frees it. Must be empty.
        public void Destroy()
        {
            for (int b = 0; b < _count.Length; b++)
                if (_count[b] != 0) throw new System.InvalidOperationException("FutexTable.Destroy: waiters still queued");
            ObjectRelease.Release(_head);
            ObjectRelease.Release(_tail);
            ObjectRelease.Release(_count);
            ObjectRelease.Release(this);
        }

        // ---- internals --------------------------------------------------------

        private void Append(int b, FutexWaiter w)
        {
            w.Next = null;
            w.Prev = _tail[b];
            if (_tail[b] != null) _tail[b].Next = w; else _head[b] = w;
            _tail[b] = w;
            _count[b]++;
            w.Bucket = b;
            w.Queued = true;
        }

        private void Unlink(FutexWaiter w)
        {
            int b = w.Bucket;
            if (w.Prev != null) w.Prev.Next = w.Next; else _head[b] = w.Next;
            if (w.Next != null) w.Next.Prev = w.Prev; else _tail[b] = w.Prev;
            w.Next = w.Prev = null;
            _count[b]--;
            w.Queued = false;   // Bucket stays: whoever unlinked it still owns it (Remove, Finish)
        }

        private static void AppendToChain(ref FutexWaiter head, ref FutexWaiter tail, FutexWaiter w)
        {
            w.ChainNext = null;
            if (tail != null) tail.ChainNext = w; else head = w;
            tail = w;
        }
    }
}
