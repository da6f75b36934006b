using System;

namespace Sticky.Mm
{
    // Leaf tables as a unit, for walks over many pages (fork, munmap, teardown):
    // one descent from the PML4 per 512 pages instead of one or more per page,
    // and the entries then read and written in place. Their callers own the TLB
    // rule of PageTable: an entry made less permissive or removed is invalidated
    // (InvalidatePage, or InvalidateAll once at the end of a walk that changed many)
    // before anything relies on the old translation being gone.
    public unsafe partial struct PageTable<TMem, TTlb>
    {
        public const int LeafEntries = Paging.EntriesPerTable;
        public const ulong LeafSpan = Paging.PageSize * Paging.EntriesPerTable;   // 2 MiB

        // The level-1 table covering `va` (lower half), or null when a table on
        // the way is missing; then `skipTo` is the first address past everything
        // the missing entry covers, so a walk steps over a hole of any size at once.
        internal PageTableEntry* LeafTableOf(ulong va, out ulong skipTo)
        {
            PageTableEntry* table = Table(Root);
            var address = new VirtualAddress(va);
            for (int level = Paging.LevelCount; level > 1; level--)
            {
                PageTableEntry e = table[address.TableIndex(level)];
                if (!e.IsPresent)
                {
                    ulong span = Paging.EntrySpan(level);
                    skipTo = (va & ~(span - 1)) + span;
                    return null;
                }
                if (e.IsHuge) throw new InvalidOperationException("PageTable: huge page in the user half");
                table = Table(e.Frame);
            }
            skipTo = (va & ~(LeafSpan - 1)) + LeafSpan;
            return table;
        }

        // The level-1 table covering `page`, creating the tables missing on the
        // way; null when frames run out (then nothing changed).
        internal PageTableEntry* LeafTableFor(VirtualAddress page)
        {
            CheckPage(page);
            return LeafTableCreating(page);
        }

        // Index of `va`'s entry in its leaf table.
        internal static int LeafIndex(ulong va) => (int)((va >> Paging.PageShift) & (Paging.EntriesPerTable - 1));
    }
}
