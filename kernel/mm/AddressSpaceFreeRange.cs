namespace Sticky.Mm
{
    // Where a new mapping goes when the caller gives no address (mmap without a
    // hint): top-down, as Linux places mmap areas below the stack.
    public sealed partial class AddressSpace<TMem, TTlb>
    {
        // The highest page-aligned `start` such that [start, start + length) lies
        // in [floor, ceiling) and touches no region. `length` is rounded up to
        // whole pages; floor is rounded up and ceiling down to pages, and both are
        // clamped to user space. False if no gap is large enough (or length is 0).
        public bool FindFreeRange(ulong length, VirtualAddress floor, VirtualAddress ceiling, out VirtualAddress start)
        {
            start = default;
            ulong lo = floor.Value < Paging.UserStart ? Paging.UserStart : floor.Value;
            ulong hi = ceiling.Value > Paging.UserEnd ? Paging.UserEnd : ceiling.Value;
            if (length == 0 || length > Paging.UserEnd || lo >= hi) return false;
            lo = Paging.AlignUp(lo);
            hi = Paging.AlignDown(hi);
            length = Paging.AlignUp(length);
            if (lo >= hi || hi - lo < length) return false;

            // Regions below index i end at or below hi; region i, if any, ends
            // above it and may reach down into the range. Walk the gaps from the
            // top: [end of region i, top), where top is the start of the region above.
            int i = FirstEndingAfter(new VirtualAddress(hi));
            ulong top = hi;
            if (i < _count && _regions[i].Start.Value < top) top = _regions[i].Start.Value;
            for (i--; ; i--)
            {
                ulong bottom = i >= 0 && _regions[i].End.Value > lo ? _regions[i].End.Value : lo;
                if (top > bottom && top - bottom >= length)
                {
                    start = new VirtualAddress(top - length);
                    return true;
                }
                if (i < 0) return false;
                top = _regions[i].Start.Value;
                if (top <= lo) return false;
            }
        }
    }
}
