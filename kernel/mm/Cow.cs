using System;

namespace Sticky.Mm
{
    public enum CowDecision
    {
        Reuse,   // the faulting mapping is the frame's only owner: make it writable in place
        Copy,    // others still map the frame: give the faulting mapping its own copy
    }

    // What a write fault on a copy-on-write page does (Linux's do_wp_page,
    // Serenity's handle_cow_fault).
    public static class Cow
    {
        // `refCount` is read under the frame lock while the faulting process's
        // space lock is held: see docs/locking.md for why no other process's
        // fork can make a Reuse wrong. Pins do not enter the decision. Reuse never moves a frame. Copy moves
        // only the faulting mapping and leaves the frame, pins and all, with the
        // other owners; if a waiter of the faulting process was pinned there, its
        // wakeups now miss it. Preventing that (keeping pinned frames out of COW
        // sharing, e.g. copying them eagerly at fork) is fork's and futex's job,
        // and a design that skips it must be able to show the lost wakeup.
        public static CowDecision Decide(uint refCount)
        {
            if (refCount == 0) throw new InvalidOperationException("Cow.Decide: frame has no owner");
            return refCount == 1 ? CowDecision.Reuse : CowDecision.Copy;
        }
    }
}
