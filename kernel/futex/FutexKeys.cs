using Sticky.Mm;

namespace Sticky.Futex
{
    // Computes futex keys per design (see FutexDesign). Pure: the glue supplies
    // what it found by looking the word's address up in the caller's address
    // space (region kind, shared object and page, or the mapped frame).
    //
    // Which key a word gets, as Linux 6.x decides it (kernel/futex/core.c,
    // get_futex_key), with the design choosing how private memory is named:
    //
    //   memory      plain op                          FUTEX_PRIVATE_FLAG op
    //   private     design's private key, PlainOp     design's private key
    //   MAP_SHARED  (object, page, offset)            (address space, address)
    //
    // The design's private key is (frame, offset) for sticky and nosticky,
    // (address space, address) for virtkey. A plain op's private key carries
    // PlainOp (Linux's FUT_OFF_MMSHARED), so a plain and a PRIVATE operation on
    // the same word are different futexes: a FUTEX_WAKE_PRIVATE does not wake a
    // plain FUTEX_WAIT, nor the reverse. On MAP_SHARED memory the plain op's
    // key names the object, so it reaches other processes that map it at any
    // address; the PRIVATE op promises that no other process uses the word, and
    // is keyed by address space and address like Linux's, so it reaches nobody
    // else (and never meets a plain op there either).
    public static class FutexKeys
    {
        public static FutexKey For(FutexDesign design, bool shared, bool privateOp, ulong sharedObjectId, ulong pageInObject,
                                   FrameNumber frame, ulong addressSpaceId, ulong virtualAddress)
        {
            if (shared)
                return privateOp ? ForAddress(addressSpaceId, virtualAddress, plainOp: false)
                                 : ForShared(sharedObjectId, pageInObject, virtualAddress);
            return ForPrivate(design, frame, addressSpaceId, virtualAddress, privateOp);
        }

        // The kind of key For gives: what the glue must find first.
        public static FutexKeyKind KindFor(FutexDesign design, bool shared, bool privateOp)
        {
            if (shared) return privateOp ? FutexKeyKind.PrivateVirtual : FutexKeyKind.Shared;
            return design == FutexDesign.VirtKey ? FutexKeyKind.PrivateVirtual : FutexKeyKind.PrivatePhysical;
        }

        // A plain op on a word in a MAP_SHARED region, in every design: (object,
        // page, offset), the same in every process that maps the object, at any
        // address. `objectId` must name the object for as long as a waiter is
        // queued on it (not an address a later object may reuse while waiters sleep).
        public static FutexKey ForShared(ulong objectId, ulong pageInObject, ulong virtualAddress) =>
            new FutexKey(FutexKeyKind.Shared, objectId, pageInObject, OffsetOf(virtualAddress), plainOp: false);

        // A word in private memory: (frame, offset) for Sticky and NoSticky,
        // (address space, virtual address) for VirtKey. `frame` is ignored under
        // VirtKey; `addressSpaceId` is ignored otherwise.
        public static FutexKey ForPrivate(FutexDesign design, FrameNumber frame, ulong addressSpaceId, ulong virtualAddress,
                                          bool privateOp)
        {
            if (design == FutexDesign.VirtKey) return ForAddress(addressSpaceId, virtualAddress, plainOp: !privateOp);
            if (frame.IsNone) throw new System.InvalidOperationException("FutexKeys.ForPrivate: a physical key needs the mapped frame");
            return new FutexKey(FutexKeyKind.PrivatePhysical, frame.Value, 0, OffsetOf(virtualAddress), plainOp: !privateOp);
        }

        // (address space, virtual address): VirtKey's private key, and every
        // design's key for a PRIVATE op on MAP_SHARED memory.
        public static FutexKey ForAddress(ulong addressSpaceId, ulong virtualAddress, bool plainOp) =>
            new FutexKey(FutexKeyKind.PrivateVirtual, addressSpaceId, virtualAddress & ~(Paging.PageSize - 1),
                         OffsetOf(virtualAddress), plainOp);

        // Whether the glue must find the frame mapped at the word (a page walk,
        // faulting the page in if needed) to compute the key.
        public static bool NeedsFrame(FutexDesign design, bool shared, bool privateOp) =>
            KindFor(design, shared, privateOp) == FutexKeyKind.PrivatePhysical;

        // Whether FUTEX_WAIT (and a requeue target) must first make the page's
        // frame the caller's own, breaking COW as a write would (a read-only page
        // gets a copy and stays read-only: AddressSpace.ResolveOwnFrame), so that
        // the key's frame is mapped by the caller's process alone: no other
        // process's wake can reach the waiter, and no write of its own can move
        // it (Martin Wirth's race, futex-history.md point 2).
        public static bool BreaksCowBeforeWait(FutexDesign design, bool shared, bool privateOp) =>
            design == FutexDesign.Sticky && NeedsFrame(design, shared, privateOp);

        // A plain op on private memory the caller cannot write is EFAULT, as in
        // Linux 6.x (get_futex_key: an anonymous page it can only map for reading
        // never changes, so a futex there means nothing); a PRIVATE op is keyed
        // as anywhere else. Sticky and virtkey do this; nosticky, the 2002
        // kernel, keys such a word by the frame it shares with a forked child
        // (isolation broken: futex_readonly). All of stickyos's private memory is
        // anonymous (ELF segments are copied in; there is no page cache), where
        // Linux keys a read-only file page by the file instead.
        public static bool RefusesPlainOpOnReadOnly(FutexDesign design, bool shared, bool privateOp, bool writable) =>
            design != FutexDesign.NoSticky && !shared && !privateOp && !writable;

        // A waiter on this key holds a pin on the key's frame while queued.
        public static bool PinsFrame(FutexDesign design, in FutexKey key) =>
            design == FutexDesign.Sticky && key.Kind == FutexKeyKind.PrivatePhysical;

        private static uint OffsetOf(ulong virtualAddress) => (uint)(virtualAddress & (Paging.PageSize - 1));
    }
}
