using Sticky.Futex;
using Xunit;

namespace Sticky.Tests.Futex;

// The one lock-free step of the futex glue: a thread whose wait ended by
// timeout, signal or exit reads FutexWaiter.Bucket without a lock to learn
// which bucket lock to take, then decides under it (FutexTable.Leave). These
// tests walk the interleavings that step meets on several CPUs, one operation
// at a time (each operation runs whole under its bucket locks in the kernel):
// a requeue moving the waiter, and a wake whose waker is still walking its
// chain. Before Leave, a timed-out thread that read the bucket in the middle
// of a requeue saw -1 and returned 0 while its waiter stayed queued and
// pinned; and one whose waker had dequeued it saw -1 at once and could start
// a new wait, resetting the link the waker was about to follow.
public class FutexLeaveTests
{
    // Eight buckets, and two keys in different ones.
    private readonly FutexTable _table = new FutexTable(8);
    private static readonly FutexKey A = FutexKeys.ForShared(1, 0, 0x10);
    private static readonly FutexKey B = FutexKeys.ForShared(2, 0, 0x20);

    private FutexWaiter Wait(in FutexKey key, string owner)
    {
        var w = new FutexWaiter();
        w.Prepare(key, FutexOp.BitsetMatchAny, owner);
        _table.Enqueue(w);
        return w;
    }

    [Fact]
    public void TheKeysUsedHereLiveInDifferentBuckets() => Assert.NotEqual(_table.BucketIndexOf(A), _table.BucketIndexOf(B));

    [Fact]
    public void TimeoutRacingARequeue_FollowsTheWaiterToItsNewBucket()
    {
        FutexWaiter w = Wait(A, "t");
        int seen = w.Bucket;                                   // read without the lock, then the requeue runs
        FutexRequeueResult r = _table.Requeue(A, B, 0, 1);
        Assert.Equal(1, r.RequeuedCount);
        Assert.True(w.Bucket >= 0);                            // never unowned while it moves
        Assert.Equal(FutexTable.LeaveResult.Moved, _table.Leave(w, seen));
        Assert.True(w.Queued);                                 // not given up under the wrong lock
        Assert.Equal(FutexTable.LeaveResult.Removed, _table.Leave(w, w.Bucket));
        Assert.Equal(-1, w.Bucket);
        Assert.Equal(0, _table.CountOn(B));
    }

    [Fact]
    public void TimeoutRacingAWake_WaitsUntilTheWakerHasFinished()
    {
        FutexWaiter first = Wait(A, "t1"), second = Wait(A, "t2");
        Assert.Equal(2, _table.Wake(A, 2, FutexOp.BitsetMatchAny, out FutexWaiter chain));
        // The waker holds bucket A's lock and walks the chain: the timed-out
        // thread cannot get the lock, and even its lock-free read does not let
        // it go: its waiter still belongs to the waker.
        Assert.Equal(_table.BucketIndexOf(A), first.Bucket);
        Assert.Throws<System.InvalidOperationException>(() => first.Prepare(B, 1, "t1"));   // a new wait is refused
        Assert.Same(first, chain);
        Assert.Same(second, chain.NextInChain);                // the link the waker follows is intact
        FutexTable.Finish(first);
        FutexTable.Finish(second);
        // Now the thread gets the lock and learns it was woken (it returns 0, its pin is gone).
        Assert.Equal(FutexTable.LeaveResult.Woken, _table.Leave(first, _table.BucketIndexOf(A)));
        first.Prepare(B, 1, "t1");                             // and may wait again
    }

    [Fact]
    public void WokenThenFinished_ReadsAsUnownedWithoutTheLock()
    {
        FutexWaiter w = Wait(A, "t");
        _table.Wake(A, 1, FutexOp.BitsetMatchAny, out _);
        FutexTable.Finish(w);
        Assert.Equal(-1, w.Bucket);                            // the glue returns 0 without taking any lock
    }

    [Fact]
    public void RequeueThenWake_InTheNewBucket_IsWhatTheThreadSees()
    {
        FutexWaiter w = Wait(A, "t");
        int seen = w.Bucket;
        _table.Requeue(A, B, 0, 1);
        _table.Wake(B, 1, FutexOp.BitsetMatchAny, out FutexWaiter chain);
        Assert.Same(w, chain);
        Assert.Equal(FutexTable.LeaveResult.Moved, _table.Leave(w, seen));   // still the waker's, in B
        FutexTable.Finish(w);
        Assert.Equal(FutexTable.LeaveResult.Woken, _table.Leave(w, _table.BucketIndexOf(B)));
    }

    [Fact]
    public void LeavingWhileStillQueued_KeepsTheOthersQueued()
    {
        FutexWaiter a = Wait(A, "t1"), b = Wait(A, "t2");
        Assert.Equal(FutexTable.LeaveResult.Removed, _table.Leave(a, a.Bucket));
        Assert.True(b.Queued);
        Assert.Equal(1, _table.CountOn(A));
        Assert.Equal(FutexTable.LeaveResult.Removed, _table.Leave(b, b.Bucket));
    }
}
