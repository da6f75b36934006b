namespace Sticky.Mm
{
    // What a walk of the page tables for one address found, level by level
    // (4: PML4 .. 1: PT), for diagnostics and for Translate.
    public struct PageWalk
    {
        public PageTableEntry Level4, Level3, Level2, Level1;
        public int LowestLevel;         // the last level read: the leaf, or where the walk stopped
        public bool IsMapped;
        public PhysicalAddress Address; // the translation, if mapped
        public ulong MappingSize;       // 4 KiB, 2 MiB or 1 GiB, if mapped
        public PageFlags Effective;     // leaf flags, with Writable/User only if every level allows
                                        // them and NoExecute if any level sets it (what the CPU enforces)

        public PageTableEntry Entry(int level)
        {
            switch (level)
            {
                case 4: return Level4;
                case 3: return Level3;
                case 2: return Level2;
                default: return Level1;
            }
        }

        internal void Set(int level, PageTableEntry entry)
        {
            switch (level)
            {
                case 4: Level4 = entry; break;
                case 3: Level3 = entry; break;
                case 2: Level2 = entry; break;
                default: Level1 = entry; break;
            }
        }
    }
}
