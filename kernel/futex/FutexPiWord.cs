namespace Sticky.Futex
{
    // The word of a PI futex (and of a robust mutex): the owner's tid in the
    // low 30 bits, FUTEX_WAITERS when threads wait in the kernel (the owner
    // must unlock through FUTEX_UNLOCK_PI), FUTEX_OWNER_DIED when an owner
    // ended without unlocking. Pure: the glue reads the word and applies
    // the new value with a compare-and-swap, retrying if it changed.
    public static class FutexPiWord
    {
        public const uint Waiters = 0x80000000, OwnerDied = 0x40000000, TidMask = 0x3FFFFFFF;

        public static int OwnerOf(uint word) => (int)(word & TidMask);

        public enum LockStep : byte { Acquire, Deadlock, MustWait }

        // LOCK_PI / TRYLOCK_PI / a proxy acquisition for a requeued waiter
        // (Linux's futex_lock_pi_atomic): a free word (no tid, perhaps
        // OWNER_DIED) is taken as `tid`, keeping OWNER_DIED, with WAITERS if
        // other waiters remain queued; one the caller owns is a deadlock;
        // else the caller waits, after setting WAITERS (`next`).
        public static LockStep Lock(uint word, int tid, bool othersWaiting, out uint next)
        {
            if (OwnerOf(word) == 0)
            {
                next = (word & OwnerDied) | (uint)tid | (othersWaiting ? Waiters : 0);
                return LockStep.Acquire;
            }
            if (OwnerOf(word) == tid) { next = word; return LockStep.Deadlock; }
            next = word | Waiters;
            return LockStep.MustWait;
        }

        // UNLOCK_PI: only the owner may (else EPERM: false). To a waiter the
        // word goes as its tid with WAITERS (Linux sets it unconditionally, so
        // the new owner's unlock comes back to the kernel); with nobody
        // waiting it becomes 0.
        public static bool Unlock(uint word, int tid, int nextOwner, out uint next)
        {
            next = nextOwner != 0 ? (uint)nextOwner | Waiters : 0;
            return OwnerOf(word) == tid;
        }

        // A waiter takes over the lock of an owner that ended: its tid,
        // OWNER_DIED kept if the robust list set it, WAITERS if others remain.
        public static uint TakeOver(uint word, int tid, bool othersWaiting) =>
            (word & OwnerDied) | (uint)tid | (othersWaiting ? Waiters : 0);

        // A robust mutex whose owner `tid` dies (Linux's handle_futex_death):
        // false if the word is not its (someone else owns it now); else the
        // tid goes, OWNER_DIED is set and WAITERS kept.
        public static bool OwnerDies(uint word, int tid, out uint next)
        {
            next = (word & Waiters) | OwnerDied;
            return OwnerOf(word) == tid;
        }
    }
}
