namespace Sticky.Platform
{
    public struct MemoryRange
    {
        public ulong Base;
        public ulong Length;
        public uint Type;
        public ulong End => Base + Length;
    }

    // The firmware's physical memory map (E820 types), normalised: sorted,
    // usable ranges page-aligned inward, reserved ranges (kernel image, boot
    // data, initrd) cut out, so the frame allocator never hands them out.
    public unsafe struct MemoryMap
    {
        public const uint Usable = 1, Reserved = 2, AcpiReclaimable = 3, AcpiNvs = 4, Bad = 5;
        public const int Capacity = 64;
        private const ulong PageMask = 4095;

        private fixed ulong _base[Capacity];
        private fixed ulong _length[Capacity];
        private fixed uint _type[Capacity];
        public int Count;

        public MemoryRange this[int i]
        {
            get
            {
                MemoryRange r;
                r.Base = _base[i]; r.Length = _length[i]; r.Type = _type[i];
                return r;
            }
        }

        // Returns false when the table is full (the range is dropped).
        public bool Add(ulong baseAddress, ulong length, uint type)
        {
            if (length == 0) return true;
            if (Count == Capacity) return false;
            int i = Count++;
            // Insertion sort keeps the map ordered by base.
            while (i > 0 && _base[i - 1] > baseAddress)
            {
                _base[i] = _base[i - 1]; _length[i] = _length[i - 1]; _type[i] = _type[i - 1];
                i--;
            }
            _base[i] = baseAddress; _length[i] = length; _type[i] = type;
            return true;
        }

        public ulong TotalBytes(uint type)
        {
            ulong sum = 0;
            for (int i = 0; i < Count; i++) if (_type[i] == type) sum += _length[i];
            return sum;
        }

        public ulong HighestUsableEnd()
        {
            ulong end = 0;
            for (int i = 0; i < Count; i++)
                if (_type[i] == Usable && _base[i] + _length[i] > end) end = _base[i] + _length[i];
            return end;
        }

        // The usable RAM as page-aligned ranges with every `reserved` range removed.
        public MemoryMap UsableExcluding(MemoryMap* reserved)
        {
            MemoryMap result = default;
            for (int i = 0; i < Count; i++)
            {
                if (_type[i] != Usable) continue;
                ulong start = (_base[i] + PageMask) & ~PageMask;
                ulong end = (_base[i] + _length[i]) & ~PageMask;
                if (end > start) result.AddClipped(start, end, reserved, 0);
            }
            return result;
        }

        // Adds [start, end) minus reserved ranges from index r on (recursive split).
        private void AddClipped(ulong start, ulong end, MemoryMap* reserved, int r)
        {
            for (; r < reserved->Count; r++)
            {
                ulong rs = reserved->_base[r] & ~PageMask;
                ulong re = (reserved->_base[r] + reserved->_length[r] + PageMask) & ~PageMask;
                if (re <= start || rs >= end) continue;
                if (rs > start) AddClipped(start, rs, reserved, r + 1);
                if (re < end) AddClipped(re, end, reserved, r + 1);
                return;
            }
            Add(start, end - start, Usable);
        }
    }
}
