using System;

namespace Sticky.Mm
{
    // x86-64 page-table entry bits (Intel SDM vol. 3, 4.5). Bits 9..11 and 52..62
    // are ignored by the CPU and free for the OS.
    [Flags]
    public enum PageFlags : ulong
    {
        None = 0,
        Present = 1UL << 0,
        Writable = 1UL << 1,
        User = 1UL << 2,
        WriteThrough = 1UL << 3,
        CacheDisable = 1UL << 4,
        Accessed = 1UL << 5,
        Dirty = 1UL << 6,
        Huge = 1UL << 7,        // in a PDPT/PD entry: maps 1 GiB / 2 MiB directly (PAT in a PT entry)
        Global = 1UL << 8,

        // Software bit 9: a private page shared copy-on-write. The entry is also
        // read-only; a write fault on it copies (or, if this is the last owner,
        // just makes it writable). A PTE bit, not a per-region bitmap, because
        // COW is per mapping and the fault handler already holds the PTE.
        Cow = 1UL << 9,
        // Bits 10 and 11 are unused; 10 is meant for a "sticky" (futex-pinned) mark.

        NoExecute = 1UL << 63,  // needs EFER.NXE, else it is a reserved bit and faults
    }
}
