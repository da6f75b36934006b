namespace Sticky.Mm
{
    // x86-64 4-level paging constants and the split of the 48-bit address space.
    //
    //   0x0000_0000_0000_0000  page 0 .. UserStart: never mapped (null-pointer guard)
    //   UserStart .. UserEnd   user half: PML4 entries 0..255, private to each address space
    //   (non-canonical hole)
    //   0xFFFF_8000_0000_0000  kernel half: PML4 entries 256..511, shared by every address space
    public static class Paging
    {
        public const ulong PageSize = 4096;
        public const int PageShift = 12;
        public const ulong PageMask = PageSize - 1;

        public const int EntriesPerTable = 512;
        public const int LevelCount = 4;            // PML4 = 4, PDPT = 3, PD = 2, PT = 1
        public const int FirstKernelPml4Entry = 256;

        // Like Linux's mmap_min_addr: a null pointer plus a small offset must fault.
        public const ulong UserStart = 0x10000;
        // One page below 2^47: a SYSRET to the last canonical page would return to
        // a non-canonical RIP on Intel CPUs and fault in kernel mode.
        public const ulong UserEnd = 0x0000_7FFF_FFFF_F000;
        public const ulong KernelStart = 0xFFFF_8000_0000_0000;

        // Bytes covered by one entry of a table at `level` (1: 4 KiB .. 4: 512 GiB).
        public static ulong EntrySpan(int level) => 1UL << (PageShift + 9 * (level - 1));

        public static ulong AlignDown(ulong value) => value & ~PageMask;
        public static ulong AlignUp(ulong value) => (value + PageMask) & ~PageMask;
    }
}
