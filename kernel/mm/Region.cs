namespace Sticky.Mm
{
    // A page-aligned range of an address space with one protection and one
    // backing: private anonymous memory (Backing == null, zero-filled on demand),
    // or a window onto a SharedMemoryObject starting at its page BackingPage.
    //
    // A value: splitting or reprotecting makes new Regions. Each Region stored
    // in an AddressSpace holds one reference on its Backing.
    public readonly struct Region
    {
        public readonly VirtualAddress Start;
        public readonly ulong Length;                   // bytes, a multiple of PageSize, > 0
        public readonly Protection Protection;
        public readonly SharedMemoryObject Backing;
        public readonly ulong BackingPage;

        public Region(VirtualAddress start, ulong length, Protection protection, SharedMemoryObject backing, ulong backingPage)
        {
            Start = start; Length = length; Protection = protection; Backing = backing; BackingPage = backingPage;
        }

        public VirtualAddress End => Start + Length;
        public bool IsShared => Backing != null;
        public bool Overlaps(VirtualAddress start, VirtualAddress end) => Start < end && start < End;

        // The part of this region in [from, to), which must lie inside it.
        public Region Slice(VirtualAddress from, VirtualAddress to) =>
            new Region(from, to.Value - from.Value, Protection, Backing, BackingPage + ((from.Value - Start.Value) >> Paging.PageShift));

        public Region WithProtection(Protection protection) => new Region(Start, Length, protection, Backing, BackingPage);

        // The backing page behind `page` (shared regions only).
        public ulong BackingPageOf(VirtualAddress page) => BackingPage + ((page.Value - Start.Value) >> Paging.PageShift);

        // Whether an access of this kind is allowed. On x86 any of R, W, X lets a
        // page be read (there is no write-only or execute-only page without PKU).
        public bool Permits(bool isWrite, bool isExecute)
        {
            if (isWrite) return (Protection & Protection.Write) != 0;
            if (isExecute) return (Protection & Protection.Execute) != 0;
            return Protection != Protection.None;
        }

        // The leaf PTE flags for this region's pages. PROT_NONE pages stay
        // present but lose User, so a user access faults and their contents
        // survive a later mprotect back.
        public PageFlags LeafFlags
        {
            get
            {
                PageFlags f = PageFlags.Present;
                if (Protection == Protection.None) return f | PageFlags.NoExecute;
                f |= PageFlags.User;
                if ((Protection & Protection.Write) != 0) f |= PageFlags.Writable;
                if ((Protection & Protection.Execute) == 0) f |= PageFlags.NoExecute;
                return f;
            }
        }
    }
}
