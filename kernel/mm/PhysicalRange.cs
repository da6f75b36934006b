namespace Sticky.Mm
{
    // A span of physical memory as a boot memory map describes it: usable RAM,
    // or something to keep out of the allocator (kernel image, initrd, ...).
    public readonly struct PhysicalRange
    {
        public readonly PhysicalAddress Base;
        public readonly ulong Length;

        public PhysicalRange(ulong baseAddress, ulong length)
        {
            Base = new PhysicalAddress(baseAddress);
            Length = length;
        }

        public ulong End => Base.Value + Length;

        public bool Overlaps(ulong start, ulong end) => Base.Value < end && start < End;
    }
}
