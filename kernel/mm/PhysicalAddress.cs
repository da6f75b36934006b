namespace Sticky.Mm
{
#pragma warning disable CS0660, CS0661 // == without Equals(object): the kernel has no boxing equality
    // A physical address. A distinct type from VirtualAddress so that code which
    // needs one cannot be handed the other (e.g. invalidating a TLB entry by
    // physical address, which only works by accident under identity mapping).
    public readonly struct PhysicalAddress
    {
        public readonly ulong Value;

        public PhysicalAddress(ulong value) { Value = value; }

        public FrameNumber Frame => new FrameNumber(Value >> Paging.PageShift);
        public ulong PageOffset => Value & Paging.PageMask;
        public bool IsPageAligned => (Value & Paging.PageMask) == 0;

        public static PhysicalAddress operator +(PhysicalAddress a, ulong bytes) => new PhysicalAddress(a.Value + bytes);
        public static bool operator ==(PhysicalAddress a, PhysicalAddress b) => a.Value == b.Value;
        public static bool operator !=(PhysicalAddress a, PhysicalAddress b) => a.Value != b.Value;
#if HOST
        public override string ToString() => "phys 0x" + Value.ToString("x");
#endif
    }
#pragma warning restore CS0660, CS0661
}
