using Sticky.Lib;
using Sticky.Runtime;

namespace Sticky.Debug
{
    // In-kernel symbolization. tools/mksyms turns the linked kernel's symbol
    // table into a sorted blob, and the second link places it in .ksyms at the
    // end of the image, so no code or data moves between the two links.
    public static unsafe class Symbols
    {
        private static byte* Blob => (byte*)KernelImage.Layout->KsymsStart;
        private static ulong BlobLength => KernelImage.Layout->KsymsEnd - KernelImage.Layout->KsymsStart;

        // Writes "name+0xoffset", or "?" when the address is not in the table.
        public static void WriteSymbol(ulong address)
        {
            if (!SymbolTable.TryLookup(Blob, BlobLength, address, out byte* name, out ulong offset))
            {
                Console.Write("?");
                return;
            }
            Console.CString(name, 512);
            if (offset != 0) { Console.Write("+0x"); Console.Hex(offset, 1); }
        }

        public static bool TryFind(ulong address, out byte* name, out ulong offset)
        {
            return SymbolTable.TryLookup(Blob, BlobLength, address, out name, out offset);
        }
    }
}
