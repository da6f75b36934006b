namespace Sticky.Exec
{
    // Address -> function name from an ELF file's .symtab, for fault reports.
    // Every offset read from the file is bounds-checked: the file is untrusted.
    public static unsafe class ElfSymbols
    {
        private const int ShdrSize = 64, SymSize = 24;
        private const uint ShtSymtab = 2;
        private const byte SttFunc = 2;

        // The function containing `address` (a run-time address; `bias` is the
        // load bias of a static-PIE image, 0 otherwise).
        public static bool Find(byte* file, ulong length, ulong bias, ulong address,
                                out byte* name, out int nameLength, out ulong offset)
        {
            name = null; nameLength = 0; offset = 0;
            if (file == null || length < 64) return false;
            ulong shoff = *(ulong*)(file + 0x28);
            ulong shnum = *(ushort*)(file + 0x3C);
            if (*(ushort*)(file + 0x3A) != ShdrSize || !Inside(length, shoff, shnum * ShdrSize)) return false;
            ulong target = address - bias;
            if (!InCode(file, shoff, shnum, target)) return false;   // e.g. a jump to the heap: no symbol applies
            for (ulong i = 0; i < shnum; i++)
            {
                byte* sh = file + shoff + i * ShdrSize;
                if (*(uint*)(sh + 4) != ShtSymtab) continue;
                ulong symOff = *(ulong*)(sh + 0x18), symSize = *(ulong*)(sh + 0x20);
                uint link = *(uint*)(sh + 0x28);
                if (!Inside(length, symOff, symSize) || link >= shnum) return false;
                byte* strSh = file + shoff + (ulong)link * ShdrSize;
                ulong strOff = *(ulong*)(strSh + 0x18), strSize = *(ulong*)(strSh + 0x20);
                if (!Inside(length, strOff, strSize)) return false;
                return Search(file + symOff, symSize / SymSize, file + strOff, strSize, target,
                              out name, out nameLength, out offset);
            }
            return false;
        }

        private static bool Search(byte* symbols, ulong count, byte* strings, ulong stringsSize, ulong target,
                                   out byte* name, out int nameLength, out ulong offset)
        {
            name = null; nameLength = 0; offset = 0;
            ulong bestValue = 0; uint bestName = 0; bool found = false;
            for (ulong i = 0; i < count; i++)
            {
                byte* s = symbols + i * SymSize;
                if ((s[4] & 0xF) != SttFunc) continue;
                ulong value = *(ulong*)(s + 8), size = *(ulong*)(s + 16);
                if (target < value || (size != 0 && target - value >= size)) continue;
                if (found && value < bestValue) continue;   // the closest start wins
                found = true; bestValue = value; bestName = *(uint*)s;
            }
            if (!found || bestName >= stringsSize) return false;
            name = strings + bestName;
            while ((ulong)(name + nameLength - strings) < stringsSize && name[nameLength] != 0) nameLength++;
            offset = target - bestValue;
            return true;
        }

        // Inside an allocated, executable section (SHF_ALLOC | SHF_EXECINSTR)?
        private static bool InCode(byte* file, ulong shoff, ulong shnum, ulong target)
        {
            const ulong AllocExec = 0x2 | 0x4;
            for (ulong i = 0; i < shnum; i++)
            {
                byte* sh = file + shoff + i * ShdrSize;
                ulong flags = *(ulong*)(sh + 8), addr = *(ulong*)(sh + 0x10), size = *(ulong*)(sh + 0x20);
                if ((flags & AllocExec) == AllocExec && target >= addr && target - addr < size) return true;
            }
            return false;
        }

        private static bool Inside(ulong length, ulong offset, ulong size) =>
            offset <= length && size <= length - offset;
    }
}
