using Sticky.Mm;

namespace Sticky.Futex
{
    // Where a waiter is with its frame pin (see FutexPins).
    public enum FutexPinState : byte
    {
        None = 0,       // no pin taken, or the pin was released: Take is allowed, Release is a bug
        Pinned = 1,     // holds one pin on PinnedFrame
        NotNeeded = 2,  // Take ran and the design/key needed no pin; Release just resets
    }

    // What a waiter waits for: a plain wait (WAIT, WAIT_BITSET, futex_waitv),
    // a PI lock (LOCK_PI, or a WAIT_REQUEUE_PI waiter requeued onto the lock),
    // or a WAIT_REQUEUE_PI waiter still on its first word.
    public enum FutexWaitKind : byte { Plain, PiLock, RequeuePi }

    // How a PI waiter's wait ended, set by whoever dequeued it.
    public enum FutexPiOutcome : byte { None, Acquired, OwnerDied }

    // One thread's futex wait. The kernel keeps one per thread (allocated with
    // the thread, freed with it) and reuses it for every wait: no allocation on
    // the futex path.
    //
    // Guarded by the lock of bucket `Bucket` of the FutexTable from Enqueue
    // until whoever takes it out of the table is done with it: Key, Bucket,
    // Queued, the links and the pin. Bitset and Owner are set before Enqueue
    // and only read afterwards. PinnedFrame/Pin change under the bucket lock and
    // the frame lock (see README.md, lock order).
    public sealed class FutexWaiter
    {
        public FutexKey Key { get; internal set; }
        public uint Bitset { get; private set; }
        public object Owner { get; private set; }    // the kernel's Thread

        // The bucket whose lock guards this waiter: set when it is queued, moved
        // by a requeue, and -1 only once nobody in the table's world uses it any
        // more: its own thread removed it (FutexTable.Leave), or a waker took it
        // off the queue and has finished with it (FutexTable.Finish: its pin
        // released, its thread woken, its chain link read). A timed-out or
        // interrupted thread reads it without the lock, locks that bucket and
        // checks again (Leave); only -1 lets it return, so it never reuses or
        // frees the waiter while a waker still walks a chain through it.
        public int Bucket { get; internal set; } = -1;
        // In a bucket's list (Bucket may stay >= 0 a moment longer: see above).
        public bool Queued { get; internal set; }

        public FrameNumber PinnedFrame { get; internal set; } = FrameNumber.None;
        public FutexPinState Pin { get; internal set; }

        // PI (docs/futex.md, "PI futexes"): the kind, the lock's owner (a tid)
        // while waiting for a PI lock, WAIT_REQUEUE_PI's target, the waiter's
        // priority (higher first, FIFO among equals) and how the wait ended.
        public FutexWaitKind Kind { get; set; }
        public int PiOwner { get; set; }
        public FutexKey RequeueTarget { get; set; }
        public int Priority { get; set; }
        public FutexPiOutcome Outcome { get; set; }
        public int Tid { get; set; }

        // Bucket list links (FIFO, doubly linked).
        internal FutexWaiter Next, Prev;
        // Result chains of Wake/Requeue (a waiter is on at most one at a time).
        internal FutexWaiter ChainNext;

        // The next waiter on a chain returned by FutexTable.Wake/Requeue. Read it
        // before the woken thread can run again (see README.md).
        public FutexWaiter NextInChain => ChainNext;
        // The next waiter in the same bucket (diagnostic walk, FutexTable.FirstIn).
        public FutexWaiter NextInBucket => Next;

        // Fills in a wait before Enqueue. The waiter must be idle: not queued and
        // holding no pin (the previous wait released it).
        public void Prepare(in FutexKey key, uint bitset, object owner)
        {
            if (Queued) throw new System.InvalidOperationException("FutexWaiter.Prepare: still queued");
            if (Bucket >= 0) throw new System.InvalidOperationException("FutexWaiter.Prepare: a waker has not finished with the last wait");
            if (Pin != FutexPinState.None) throw new System.InvalidOperationException("FutexWaiter.Prepare: previous pin not released");
            if (key.IsNone) throw new System.InvalidOperationException("FutexWaiter.Prepare: no key");
            if (bitset == 0) throw new System.InvalidOperationException("FutexWaiter.Prepare: empty bitset (the syscall returns EINVAL)");
            Key = key;
            Bitset = bitset;
            Owner = owner;
            ChainNext = null;
            Kind = FutexWaitKind.Plain;
            PiOwner = 0;
            RequeueTarget = default;
            Outcome = FutexPiOutcome.None;
        }
    }
}
