namespace Sticky.Mm
{
#pragma warning disable CS0660, CS0661 // == without Equals(object): the kernel has no boxing equality
    // A virtual address in some address space (see PhysicalAddress for why the
    // two are distinct types).
    public readonly struct VirtualAddress
    {
        public readonly ulong Value;

        public VirtualAddress(ulong value) { Value = value; }

        public VirtualAddress PageBase => new VirtualAddress(Value & ~Paging.PageMask);
        public ulong PageOffset => Value & Paging.PageMask;
        public bool IsPageAligned => (Value & Paging.PageMask) == 0;

        // Bits 63..47 must all equal bit 47, or the CPU raises #GP on use.
        public bool IsCanonical => Value < 0x0000_8000_0000_0000 || Value >= Paging.KernelStart;
        // Addresses user mappings may occupy (see Paging for the bounds).
        public bool IsUser => Value >= Paging.UserStart && Value < Paging.UserEnd;
        // Translated by PML4 entries 0..255: the half each address space owns.
        public bool IsLowerHalf => Value < 0x0000_8000_0000_0000;

        // The index this address selects in the table at `level` (4: PML4 .. 1: PT).
        public int TableIndex(int level) => (int)((Value >> (Paging.PageShift + 9 * (level - 1))) & 511);

        public static VirtualAddress operator +(VirtualAddress a, ulong bytes) => new VirtualAddress(a.Value + bytes);
        public static bool operator ==(VirtualAddress a, VirtualAddress b) => a.Value == b.Value;
        public static bool operator !=(VirtualAddress a, VirtualAddress b) => a.Value != b.Value;
        public static bool operator <(VirtualAddress a, VirtualAddress b) => a.Value < b.Value;
        public static bool operator >(VirtualAddress a, VirtualAddress b) => a.Value > b.Value;
        public static bool operator <=(VirtualAddress a, VirtualAddress b) => a.Value <= b.Value;
        public static bool operator >=(VirtualAddress a, VirtualAddress b) => a.Value >= b.Value;
#if HOST
        public override string ToString() => "virt 0x" + Value.ToString("x");
#endif
    }
#pragma warning restore CS0660, CS0661
}
