using Sticky.Futex;
using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Futex
{
    public class FutexPiWordTests
    {
        [Fact]
        public void AFreeWordIsTakenKeepingOwnerDied()
        {
            Assert.Equal(FutexPiWord.LockStep.Acquire, FutexPiWord.Lock(0, 7, false, out uint next));
            Assert.Equal(7u, next);
            FutexPiWord.Lock(FutexPiWord.OwnerDied, 7, true, out next);
            Assert.Equal(7u | FutexPiWord.OwnerDied | FutexPiWord.Waiters, next);
        }

        [Fact]
        public void OwnWordIsDeadlockAndAnothersMeansWaiting()
        {
            Assert.Equal(FutexPiWord.LockStep.Deadlock, FutexPiWord.Lock(7 | FutexPiWord.Waiters, 7, false, out _));
            Assert.Equal(FutexPiWord.LockStep.MustWait, FutexPiWord.Lock(9, 7, false, out uint next));
            Assert.Equal(9u | FutexPiWord.Waiters, next);
        }

        [Fact]
        public void UnlockHandsOverOrClears()
        {
            Assert.False(FutexPiWord.Unlock(9, 7, 0, out _));           // EPERM: not the owner
            Assert.True(FutexPiWord.Unlock(7 | FutexPiWord.Waiters, 7, 12, out uint next));
            Assert.Equal(12u | FutexPiWord.Waiters, next);
            Assert.True(FutexPiWord.Unlock(7, 7, 0, out next));
            Assert.Equal(0u, next);
        }

        [Fact]
        public void OwnerDeathMarksOnlyItsOwnWord()
        {
            Assert.True(FutexPiWord.OwnerDies(7 | FutexPiWord.Waiters, 7, out uint next));
            Assert.Equal(FutexPiWord.OwnerDied | FutexPiWord.Waiters, next);
            Assert.False(FutexPiWord.OwnerDies(8, 7, out _));
            Assert.Equal(5u | FutexPiWord.OwnerDied, FutexPiWord.TakeOver(FutexPiWord.OwnerDied, 5, false));
        }
    }

    public class FutexPiTableTests
    {
        private static FutexKey Key(uint offset) => new FutexKey(FutexKeyKind.PrivateVirtual, 1, 0x1000, offset, plainOp: false);

        private static FutexWaiter Waiter(FutexTable t, FutexKey key, int priority, FutexWaitKind kind = FutexWaitKind.PiLock)
        {
            var w = new FutexWaiter();
            w.Prepare(key, FutexOp.BitsetMatchAny, new object());
            w.Kind = kind;
            w.Priority = priority;
            t.Enqueue(w);
            return w;
        }

        [Fact]
        public void TopWaiterIsHighestPriorityThenOldest()
        {
            var t = new FutexTable(4);
            var a = Waiter(t, Key(0), 0);
            var b = Waiter(t, Key(0), 5);
            var c = Waiter(t, Key(0), 5);
            Waiter(t, Key(4), 99);
            Assert.Same(b, t.TopWaiter(Key(0)));
            t.Take(b);
            Assert.Same(c, t.TopWaiter(Key(0)));
            t.Take(c);
            Assert.Same(a, t.TopWaiter(Key(0)));
        }

        [Fact]
        public void MismatchedRequeuePiWaitersAreFound()
        {
            var t = new FutexTable(4);
            var w = Waiter(t, Key(0), 0, FutexWaitKind.RequeuePi);
            w.RequeueTarget = Key(8);
            Assert.False(t.HasMismatchedRequeuePi(Key(0), Key(8)));
            Assert.True(t.HasMismatchedRequeuePi(Key(0), Key(12)));
            Waiter(t, Key(0), 0, FutexWaitKind.Plain);
            Assert.True(t.HasMismatchedRequeuePi(Key(0), Key(8)));
            Assert.True(t.HasNonPlainWaiter(Key(0)));
            Assert.False(t.HasNonPlainWaiter(Key(4)));
        }

        [Fact]
        public void MoveRequeuesOneWaiter()
        {
            var t = new FutexTable(4);
            var w = Waiter(t, Key(0), 0, FutexWaitKind.RequeuePi);
            t.Move(w, Key(8));
            Assert.Equal(0, t.CountOn(Key(0)));
            Assert.Equal(1, t.CountOn(Key(8)));
            t.SetPiOwner(Key(8), 42);
            Assert.Equal(0, w.PiOwner);   // only PiLock waiters follow the owner
            w.Kind = FutexWaitKind.PiLock;
            t.SetPiOwner(Key(8), 42);
            Assert.Equal(42, w.PiOwner);
        }
    }
}
