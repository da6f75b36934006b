namespace Sticky.Mm
{
    // One 8-byte entry of any page-table level: a frame address and flags.
    public readonly struct PageTableEntry
    {
        // Bits 12..51: the physical address of the next table or of the page.
        public const ulong AddressMask = 0x000F_FFFF_FFFF_F000;

        public readonly ulong Raw;

        public PageTableEntry(ulong raw) { Raw = raw; }

        public PageTableEntry(FrameNumber frame, PageFlags flags)
        {
            Raw = (frame.Address.Value & AddressMask) | ((ulong)flags & ~AddressMask);
        }

        public PhysicalAddress Address => new PhysicalAddress(Raw & AddressMask);
        public FrameNumber Frame => Address.Frame;
        public PageFlags Flags => (PageFlags)(Raw & ~AddressMask);

        public bool Has(PageFlags flag) => (Raw & (ulong)flag) == (ulong)flag;
        public bool IsPresent => Has(PageFlags.Present);
        public bool IsWritable => Has(PageFlags.Writable);
        public bool IsUser => Has(PageFlags.User);
        public bool IsHuge => Has(PageFlags.Huge);
        public bool IsCow => Has(PageFlags.Cow);
        public bool IsExecutable => !Has(PageFlags.NoExecute);
    }
}
