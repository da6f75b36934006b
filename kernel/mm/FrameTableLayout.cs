namespace Sticky.Mm
{
    // Where the frame table's metadata goes. The kernel has no allocator yet when
    // it builds the frame table, so it takes the metadata from RAM itself:
    //
    //   frames = FrameTableLayout.FrameCountFor(usable, n);
    //   bytes  = FrameTableLayout.MetadataBytes(frames);
    //   FrameTableLayout.FindPlace(usable, n, reserved, m, bytes, out place);
    //   new FrameTable((FrameInfo*)mem.Map(place), place, frames, usable, n, reserved, m);
    public static unsafe class FrameTableLayout
    {
        public static ulong MetadataBytes(ulong frameCount) => frameCount * (ulong)sizeof(FrameInfo);

        // The table covers frames 0 .. highest usable end, holes included, so a
        // frame number indexes it directly.
        public static ulong FrameCountFor(PhysicalRange* usable, int usableCount)
        {
            ulong end = 0;
            for (int i = 0; i < usableCount; i++)
                if (usable[i].End > end) end = usable[i].End;
            return Paging.AlignDown(end) >> Paging.PageShift;
        }

        // The lowest page-aligned spot of `bytes` inside one usable range that
        // overlaps no reserved range and avoids frame 0. False if none fits.
        public static bool FindPlace(PhysicalRange* usable, int usableCount, PhysicalRange* reserved, int reservedCount,
                                     ulong bytes, out PhysicalAddress place)
        {
            ulong size = Paging.AlignUp(bytes);
            ulong best = ulong.MaxValue;
            for (int i = 0; i < usableCount; i++)
            {
                ulong start = Paging.AlignUp(usable[i].Base.Value);
                ulong end = Paging.AlignDown(usable[i].End);
                if (start < Paging.PageSize) start = Paging.PageSize;
                // Each pass either fits or jumps past one blocking range, so at
                // most reservedCount + 1 passes.
                for (int pass = 0; pass <= reservedCount && start < end && end - start >= size; pass++)
                {
                    int blocker = FirstOverlap(reserved, reservedCount, start, start + size);
                    if (blocker < 0)
                    {
                        if (start < best) best = start;
                        break;
                    }
                    start = Paging.AlignUp(reserved[blocker].End);
                }
            }
            place = new PhysicalAddress(best);
            return best != ulong.MaxValue;
        }

        private static int FirstOverlap(PhysicalRange* ranges, int count, ulong start, ulong end)
        {
            for (int i = 0; i < count; i++)
                if (ranges[i].Length != 0 && ranges[i].Overlaps(start, end)) return i;
            return -1;
        }
    }
}
