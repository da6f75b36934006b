namespace Sticky.Platform
{
    public struct MemoryRange
    {
        public ulong Base;
        public ulong Length;
        public uint Type;
        public ulong End => Base + Length;
    }

    // The firmware's physical memory map (E820 types) as PVH hands it over,
    // kept sorted by base. Ranges are as reported: the frame table rounds usable
    // ranges inward to pages and reserves low memory, the kernel image and the
    // initrd itself (FrameTable's constructor, given them by KernelMemory.InitFrames).
    public unsafe struct MemoryMap
    {
        public const uint Usable = 1, Reserved = 2, AcpiReclaimable = 3, AcpiNvs = 4, Bad = 5;
        public const int Capacity = 64;

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
    }
}
