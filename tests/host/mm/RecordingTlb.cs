using System.Collections.Generic;
using Sticky.Mm;

namespace Sticky.Tests.Mm;

public enum TlbOp { InvalidatePage, InvalidateAll, Flush }

public readonly record struct TlbEvent(TlbOp Op, ulong Page);

// The calls mm code made to the TLB, in order.
public sealed class TlbLog
{
    public readonly List<TlbEvent> Events = new();
    public void Clear() => Events.Clear();
    // Whether `page`'s translation was dropped: by itself, or with every other.
    public bool Invalidated(ulong page) =>
        Events.Contains(new TlbEvent(TlbOp.InvalidatePage, page)) || Events.Exists(e => e.Op == TlbOp.InvalidateAll);
    public int FullFlushes => Events.FindAll(e => e.Op == TlbOp.InvalidateAll).Count;
    public int PageInvalidations => Events.FindAll(e => e.Op == TlbOp.InvalidatePage).Count;
    // Flushes that had something to flush: rounds of shootdown IPIs in the kernel.
    public int Flushes => Events.FindAll(e => e.Op == TlbOp.Flush).Count;
}

// A fake TLB that records instead of invalidating. The log is a class so that
// every copy of this struct appends to the same list. A Flush is recorded only
// when something was invalidated since the last one: that is a round of IPIs
// in the kernel (SpaceState.Flush does nothing otherwise).
public readonly struct RecordingTlb : ITlb
{
    public readonly TlbLog Log;
    public RecordingTlb(TlbLog log) { Log = log; }
    public void InvalidatePage(VirtualAddress page) => Log.Events.Add(new TlbEvent(TlbOp.InvalidatePage, page.Value));
    public void InvalidateAll() => Log.Events.Add(new TlbEvent(TlbOp.InvalidateAll, 0));
    public void Flush()
    {
        int last = Log.Events.FindLastIndex(e => e.Op == TlbOp.Flush);
        if (Log.Events.FindLastIndex(e => e.Op != TlbOp.Flush) > last) Log.Events.Add(new TlbEvent(TlbOp.Flush, 0));
    }
}
