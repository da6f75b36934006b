using System.Collections.Generic;
using Sticky.Futex;
using Xunit;

namespace Sticky.Tests.Futex;

public class FutexTableTests
{
    private readonly FutexTable _table = new FutexTable();
    private static readonly FutexKey A = FutexKeys.ForShared(1, 0, 0x10);
    private static readonly FutexKey B = FutexKeys.ForShared(1, 0, 0x20);

    private FutexWaiter Wait(in FutexKey key, string owner, uint bitset = FutexOp.BitsetMatchAny)
    {
        var w = new FutexWaiter();
        w.Prepare(key, bitset, owner);
        _table.Enqueue(w);
        return w;
    }

    private static List<string> Owners(FutexWaiter chain)
    {
        var names = new List<string>();
        for (FutexWaiter w = chain; w != null; w = w.NextInChain) names.Add((string)w.Owner);
        return names;
    }

    private List<string> Queue(in FutexKey key)
    {
        var names = new List<string>();
        for (FutexWaiter w = _table.FirstIn(_table.BucketIndexOf(key)); w != null; w = w.NextInBucket)
            if (w.Key == key) names.Add((string)w.Owner);
        return names;
    }

    [Fact]
    public void BucketCount_MustBeAPowerOfTwo()
    {
        Assert.Equal(256, _table.BucketCount);
        Assert.Equal(4, new FutexTable(4).BucketCount);
        Assert.Throws<System.ArgumentException>(() => new FutexTable(100));
        Assert.Throws<System.ArgumentException>(() => new FutexTable(0));
    }

    [Fact]
    public void Enqueue_RecordsBucketAndQueued()
    {
        FutexWaiter w = Wait(A, "t1");
        Assert.True(w.Queued);
        Assert.Equal(_table.BucketIndexOf(A), w.Bucket);
        Assert.Equal(1, _table.WaitersIn(w.Bucket));
        Assert.Equal(1, _table.CountOn(A));
        Assert.Throws<System.InvalidOperationException>(() => _table.Enqueue(w));
    }

    [Fact]
    public void Wake_IsFifo()
    {
        Wait(A, "t1"); Wait(A, "t2"); Wait(A, "t3");
        Assert.Equal(2, _table.Wake(A, 2, FutexOp.BitsetMatchAny, out FutexWaiter woken));
        Assert.Equal(new[] { "t1", "t2" }, Owners(woken));
        Assert.Equal(1, _table.Wake(A, 5, FutexOp.BitsetMatchAny, out woken));
        Assert.Equal(new[] { "t3" }, Owners(woken));
    }

    [Fact]
    public void Wake_OnlyTouchesItsKey()
    {
        Wait(A, "a1"); Wait(B, "b1"); Wait(A, "a2");
        Assert.Equal(2, _table.Wake(A, int.MaxValue, FutexOp.BitsetMatchAny, out FutexWaiter woken));
        Assert.Equal(new[] { "a1", "a2" }, Owners(woken));
        Assert.Equal(new[] { "b1" }, Queue(B));
        Assert.Equal(0, _table.Wake(A, 1, FutexOp.BitsetMatchAny, out woken));
        Assert.Null(woken);
    }

    [Fact]
    public void Wake_IntMax_WakesEveryone()
    {
        for (int i = 0; i < 100; i++) Wait(A, "t" + i);
        Assert.Equal(100, _table.Wake(A, int.MaxValue, FutexOp.BitsetMatchAny, out FutexWaiter woken));
        Assert.Equal(100, Owners(woken).Count);
        Assert.Equal(0, _table.WaitersIn(_table.BucketIndexOf(A)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Wake_CountZeroOrNegative_StillWakesOne_AsLinux(int count)
    {
        Wait(A, "t1"); Wait(A, "t2");
        Assert.Equal(1, _table.Wake(A, count, FutexOp.BitsetMatchAny, out FutexWaiter woken));
        Assert.Equal(new[] { "t1" }, Owners(woken));
    }

    [Fact]
    public void Wake_MatchesBitsets_AndSkipsOthersWithoutCountingThem()
    {
        Wait(A, "r1", 0b01); Wait(A, "w1", 0b10); Wait(A, "r2", 0b01); Wait(A, "any");
        Assert.Equal(2, _table.Wake(A, 2, 0b01, out FutexWaiter woken));
        Assert.Equal(new[] { "r1", "r2" }, Owners(woken));
        Assert.Equal(new[] { "w1", "any" }, Queue(A));
        Assert.Equal(2, _table.Wake(A, 9, 0b10, out woken));
        Assert.Equal(new[] { "w1", "any" }, Owners(woken));
    }

    [Fact]
    public void Remove_AfterWake_ReturnsFalse_OnceTheWakerHasFinished()
    {
        FutexWaiter w = Wait(A, "t1");
        Assert.Equal(1, _table.Wake(A, 1, FutexOp.BitsetMatchAny, out _));
        Assert.False(w.Queued);
        Assert.Equal(_table.BucketIndexOf(A), w.Bucket);            // still the waker's
        Assert.Throws<System.InvalidOperationException>(() => _table.Remove(w));   // cannot happen under the bucket lock
        FutexTable.Finish(w);
        Assert.Equal(-1, w.Bucket);
        Assert.False(_table.Remove(w));
    }

    [Fact]
    public void Remove_WhileQueued_ReturnsTrue_AndKeepsTheOthersInOrder()
    {
        Wait(A, "t1"); FutexWaiter mid = Wait(A, "t2"); Wait(A, "t3");
        Assert.True(_table.Remove(mid));
        Assert.False(_table.Remove(mid));
        Assert.Equal(new[] { "t1", "t3" }, Queue(A));
        Assert.Equal(2, _table.WaitersIn(_table.BucketIndexOf(A)));
    }

    [Fact]
    public void Waiter_IsReusable_AfterItsWaitEnds()
    {
        FutexWaiter w = Wait(A, "t1");
        _table.Remove(w);
        w.Prepare(B, 1, "t1");
        _table.Enqueue(w);
        Assert.Equal(new[] { "t1" }, Queue(B));
        Assert.Throws<System.InvalidOperationException>(() => w.Prepare(A, 1, "t1"));   // still queued
        Assert.Throws<System.InvalidOperationException>(() => new FutexWaiter().Prepare(A, 0, "x"));
        Assert.Throws<System.InvalidOperationException>(() => new FutexWaiter().Prepare(default, 1, "x"));
    }

    // ---- requeue ----------------------------------------------------------

    [Fact]
    public void Requeue_WakesNrWake_MovesNrRequeue_LeavesTheRest()
    {
        for (int i = 1; i <= 5; i++) Wait(A, "t" + i);
        Wait(B, "b1");
        FutexRequeueResult r = _table.Requeue(A, B, 1, 2);
        Assert.Equal(1, r.WokenCount);
        Assert.Equal(2, r.RequeuedCount);
        Assert.Equal(new[] { "t1" }, Owners(r.Woken));
        Assert.Equal(new[] { "t2", "t3" }, Owners(r.Requeued));
        Assert.Equal(new[] { "t4", "t5" }, Queue(A));
        Assert.Equal(new[] { "b1", "t2", "t3" }, Queue(B));   // behind the ones already there
        for (FutexWaiter w = r.Requeued; w != null; w = w.NextInChain)
        {
            Assert.True(w.Key == B);
            Assert.True(w.Queued);
            Assert.Equal(_table.BucketIndexOf(B), w.Bucket);
        }
    }

    [Fact]
    public void Requeue_CountsAreExact_ZeroWakesNone()
    {
        Wait(A, "t1"); Wait(A, "t2");
        FutexRequeueResult r = _table.Requeue(A, B, 0, 0);
        Assert.Equal(0, r.WokenCount + r.RequeuedCount);
        r = _table.Requeue(A, B, 0, int.MaxValue);
        Assert.Equal(0, r.WokenCount);
        Assert.Equal(2, r.RequeuedCount);
        Assert.Null(r.Woken);
        Assert.Equal(new[] { "t1", "t2" }, Queue(B));
        Assert.Equal(0, _table.CountOn(A));
    }

    [Fact]
    public void Requeue_MuslCondvar_WakeOneMoveAll()
    {
        for (int i = 1; i <= 4; i++) Wait(A, "t" + i);
        FutexRequeueResult r = _table.Requeue(A, B, 1, int.MaxValue);
        Assert.Equal((1, 3), (r.WokenCount, r.RequeuedCount));
        Assert.Equal(new[] { "t2", "t3", "t4" }, Queue(B));
    }

    [Fact]
    public void Requeue_ToTheSameKey_KeepsOrder()
    {
        for (int i = 1; i <= 4; i++) Wait(A, "t" + i);
        FutexRequeueResult r = _table.Requeue(A, A, 1, 1);
        Assert.Equal((1, 1), (r.WokenCount, r.RequeuedCount));
        Assert.Equal(new[] { "t2", "t3", "t4" }, Queue(A));
    }

    [Fact]
    public void Requeue_BetweenKeysInOneBucket_KeepsFifoOnTheTarget()
    {
        var small = new FutexTable(1);   // every key collides
        var a = new FutexWaiter(); a.Prepare(A, 1, "a");
        var b = new FutexWaiter(); b.Prepare(B, 1, "b");
        small.Enqueue(a); small.Enqueue(b);
        FutexRequeueResult r = small.Requeue(A, B, 0, 1);
        Assert.Equal(1, r.RequeuedCount);
        Assert.Equal(1, small.Wake(B, 1, 1, out FutexWaiter first));
        Assert.Same(b, first);                     // b was on B first
        Assert.Equal(1, small.Wake(B, 1, 1, out first));
        Assert.Same(a, first);
        Assert.Equal(0, small.WaitersIn(0));
    }

    [Fact]
    public void Requeue_NegativeCount_IsABug()
    {
        Assert.Throws<System.ArgumentException>(() => _table.Requeue(A, B, -1, 0));
        Assert.Throws<System.ArgumentException>(() => _table.Requeue(A, B, 0, -1));
    }

    [Fact]
    public void DiagnosticWalk_VisitsEveryQueuedWaiter()
    {
        var expected = new HashSet<string>();
        for (int i = 0; i < 50; i++)
        {
            Wait(FutexKeys.ForShared(3, (ulong)i, 0), "s" + i);
            expected.Add("s" + i);
        }
        var seen = new HashSet<string>();
        for (int b = 0; b < _table.BucketCount; b++)
            for (FutexWaiter w = _table.FirstIn(b); w != null; w = w.NextInBucket)
            {
                Assert.Equal(b, w.Bucket);
                Assert.True(w.PinnedFrame.IsNone);
                Assert.True(seen.Add((string)w.Owner));
            }
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void Destroy_RefusesATableWithWaiters()
    {
        var t = new FutexTable(8);
        var w = new FutexWaiter(); w.Prepare(A, 1, "t");
        t.Enqueue(w);
        Assert.Throws<System.InvalidOperationException>(() => t.Destroy());
        t.Remove(w);
        t.Destroy();
    }
}
