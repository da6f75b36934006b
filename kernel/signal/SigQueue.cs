using Sticky.Mm;

namespace Sticky.Signal
{
    // One instance of a pending signal with its siginfo.
    public sealed class PendingSignal
    {
        public SigInfo Info;
        public PendingSignal Next;
    }

    // Pending signals of a thread (sent to it) or of a process (sent to any of
    // its threads), as Linux's struct sigpending: the set, and the instances in
    // arrival order. A standard signal (1..31) is pending at most once; a
    // second one is merged into the first. Real-time signals queue every
    // instance, up to Limit per queue (sigqueue then says EAGAIN).
    //
    // The kernel guards a queue with the scheduler lock. Nodes come from the
    // caller (allocated outside whatever lock it cannot allocate under) and go
    // back through ObjectRelease.
    public struct SigQueue
    {
        public const int Limit = 128;

        public ulong Set;
        private PendingSignal _head, _tail;
        public int Queued;

        public enum AddResult { Added, Merged, Full }

        // Queues `info`. `node` is a fresh node the queue keeps on Added; on
        // Merged or Full the caller still owns it (Release it).
        public AddResult Add(in SigInfo info, PendingSignal node)
        {
            int s = info.Signo;
            if (!SigSet.IsRealtime(s) && SigSet.Has(Set, s)) return AddResult.Merged;
            if (SigSet.IsRealtime(s) && Queued >= Limit) return AddResult.Full;
            node.Info = info;
            node.Next = null;
            if (_tail != null) _tail.Next = node; else _head = node;
            _tail = node;
            Queued++;
            Set |= SigSet.Of(s);
            return AddResult.Added;
        }

        // Takes the oldest instance of `signal`; its bit stays set while more
        // instances wait. False (info zeroed) if none is pending.
        public bool Take(int signal, out SigInfo info)
        {
            info = default;
            PendingSignal prev = null, found = null;
            bool more = false;
            for (PendingSignal n = _head, p = null; n != null; p = n, n = n.Next)
            {
                if (n.Info.Signo != signal) continue;
                if (found == null) { found = n; prev = p; }
                else { more = true; break; }
            }
            if (found == null) return false;
            if (prev != null) prev.Next = found.Next; else _head = found.Next;
            if (_tail == found) _tail = prev;
            Queued--;
            if (!more) Set &= ~SigSet.Of(signal);
            info = found.Info;
            ObjectRelease.Release(found);
            return true;
        }

        // Drops every instance of the signals in `signals` (a signal now
        // ignored, SIGCONT clearing stops, a thread's exit).
        public void Discard(ulong signals)
        {
            PendingSignal prev = null;
            for (PendingSignal n = _head; n != null;)
            {
                PendingSignal next = n.Next;
                if (SigSet.Has(signals, n.Info.Signo))
                {
                    if (prev != null) prev.Next = next; else _head = next;
                    if (_tail == n) _tail = prev;
                    Queued--;
                    ObjectRelease.Release(n);
                }
                else prev = n;
                n = next;
            }
            Set &= ~signals;
        }

        public void Clear() => Discard(ulong.MaxValue);
    }
}
