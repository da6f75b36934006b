namespace Sticky.Proc
{
    // Threads blocked on one condition, in FIFO order (futex waiters will be
    // woken in the order they queued). All fields are guarded by the scheduler
    // lock; see Scheduler.Wait / Wake.
    public sealed class WaitQueue
    {
        public Thread Head, Tail;
        public int Count;

        public void Append(Thread t)
        {
            t.WaitingOn = this;
            t.NextWaiter = null;
            t.PrevWaiter = Tail;
            if (Tail != null) Tail.NextWaiter = t; else Head = t;
            Tail = t;
            Count++;
        }

        public void Remove(Thread t)
        {
            if (t.PrevWaiter != null) t.PrevWaiter.NextWaiter = t.NextWaiter; else Head = t.NextWaiter;
            if (t.NextWaiter != null) t.NextWaiter.PrevWaiter = t.PrevWaiter; else Tail = t.PrevWaiter;
            t.NextWaiter = t.PrevWaiter = null;
            t.WaitingOn = null;
            Count--;
        }
    }
}
