namespace Sticky.Lib
{
    // The .ksyms blob format (written by tools/mksyms, read here and in host tests):
    //   u32 magic "KSYM", u32 count,
    //   count x { u64 address, u32 size, u32 nameOffset }  sorted by address,
    //   NUL-terminated names; nameOffset is from the blob start.
    public static unsafe class SymbolTable
    {
        public const uint Magic = 0x4D59534B; // "KSYM" little-endian
        private const int HeaderSize = 8, EntrySize = 16;

        public static bool TryLookup(byte* blob, ulong length, ulong address, out byte* name, out ulong offset)
        {
            name = null; offset = 0;
            if (length < HeaderSize || *(uint*)blob != Magic) return false;
            uint count = *(uint*)(blob + 4);
            if (HeaderSize + (ulong)count * EntrySize > length) return false;
            byte* entries = blob + HeaderSize;

            // Last entry whose address <= target.
            long lo = 0, hi = (long)count - 1, found = -1;
            while (lo <= hi)
            {
                long mid = (lo + hi) / 2;
                if (*(ulong*)(entries + mid * EntrySize) <= address) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            if (found < 0) return false;
            byte* e = entries + found * EntrySize;
            ulong start = *(ulong*)e;
            uint size = *(uint*)(e + 8);
            // Past a symbol's known end, or absurdly far from any symbol: no answer.
            if (size != 0 ? address >= start + size : address - start > 0x10000) return false;
            uint nameOffset = *(uint*)(e + 12);
            if (nameOffset >= length) return false;
            name = blob + nameOffset;
            offset = address - start;
            return true;
        }
    }
}
