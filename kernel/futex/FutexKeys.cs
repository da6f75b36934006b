using Sticky.Mm;

namespace Sticky.Futex
{
    // Computes futex keys per design (see FutexDesign). Pure: the glue supplies
    // what it found by looking the word's address up in the caller's address
    // space (region kind, shared object and page, or the mapped frame).
    //
    // FUTEX_PRIVATE_FLAG never changes a key: the key depends only on the kind
    // of memory and the design. So a private and a plain operation on the same
    // word always meet, as design.md requires (in Linux they meet as well for
    // private memory: a plain op on anonymous memory also keys by (mm, address)).
    // The flag is a promise that only this process uses the word; Linux uses it to
    // skip the mapping lookup, which on shared memory it trusts and keys by
    // (mm, address). We key a shared word by its object even with the flag; that
    // can only let MORE operations meet (a PRIVATE op on a MAP_SHARED word also
    // meets the other processes' waiters), never fewer among those that should,
    // and a futex waiter must tolerate a spurious wake anyway (it re-checks its
    // condition): so ignoring the flag is safe.
    public static class FutexKeys
    {
        public static FutexKey For(FutexDesign design, bool shared, ulong sharedObjectId, ulong pageInObject,
                                   FrameNumber frame, ulong addressSpaceId, ulong virtualAddress)
        {
            if (shared) return ForShared(sharedObjectId, pageInObject, virtualAddress);
            return ForPrivate(design, frame, addressSpaceId, virtualAddress);
        }

        // A word in a MAP_SHARED region, in every design: (object, page, offset),
        // the same in every process that maps the object, at any address.
        // `objectId` must name the object for as long as a waiter is queued on it
        // (not an address a later object may reuse while waiters sleep).
        public static FutexKey ForShared(ulong objectId, ulong pageInObject, ulong virtualAddress) =>
            new FutexKey(FutexKeyKind.Shared, objectId, pageInObject, OffsetOf(virtualAddress));

        // A word in private memory: (frame, offset) for Sticky and NoSticky,
        // (address space, virtual address) for VirtKey. `frame` is ignored under
        // VirtKey; `addressSpaceId` is ignored otherwise.
        public static FutexKey ForPrivate(FutexDesign design, FrameNumber frame, ulong addressSpaceId, ulong virtualAddress)
        {
            if (design == FutexDesign.VirtKey)
                return new FutexKey(FutexKeyKind.PrivateVirtual, addressSpaceId,
                                    virtualAddress & ~(Paging.PageSize - 1), OffsetOf(virtualAddress));
            if (frame.IsNone) throw new System.InvalidOperationException("FutexKeys.ForPrivate: a physical key needs the mapped frame");
            return new FutexKey(FutexKeyKind.PrivatePhysical, frame.Value, 0, OffsetOf(virtualAddress));
        }

        // Whether the glue must find the frame mapped at the word (a page walk,
        // faulting the page in if needed) to compute the key.
        public static bool NeedsFrame(FutexDesign design, bool shared) => !shared && design != FutexDesign.VirtKey;

        // Whether FUTEX_WAIT (and a requeue target) must first resolve the page as
        // for a write, breaking COW, so that the key's frame is mapped by the
        // caller's process alone (Martin Wirth's race, futex-history.md point 2).
        public static bool BreaksCowBeforeWait(FutexDesign design, bool shared) => design == FutexDesign.Sticky && !shared;

        // A waiter on this key holds a pin on the key's frame while queued.
        public static bool PinsFrame(FutexDesign design, in FutexKey key) =>
            design == FutexDesign.Sticky && key.Kind == FutexKeyKind.PrivatePhysical;

        private static uint OffsetOf(ulong virtualAddress) => (uint)(virtualAddress & (Paging.PageSize - 1));
    }
}
