using System.Runtime;
using System.Runtime.CompilerServices;
using Sticky.Lib;

namespace Sticky.Debug
{
    // In-kernel symbolization. tools/mksyms turns the linked kernel's symbol
    // table into a sorted blob, and the second link places it in .ksyms at the
    // end of the image, so no code or data moves between the two links.
    public static unsafe class Symbols
    {
        [RuntimeImport("*", "ksyms_start")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern byte* BlobStart();
        [RuntimeImport("*", "ksyms_end")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern byte* BlobEnd();

        // Writes "name+0xoffset", or "?" when the address is not in the table.
        public static void WriteSymbol(ulong address)
        {
            byte* blob = BlobStart();
            if (!SymbolTable.TryLookup(blob, (ulong)(BlobEnd() - blob), address, out byte* name, out ulong offset))
            {
                Console.Write("?");
                return;
            }
            Console.CString(name, 512);
            if (offset != 0) { Console.Write("+0x"); Console.Hex(offset, 1); }
        }

        public static bool TryFind(ulong address, out byte* name, out ulong offset)
        {
            byte* blob = BlobStart();
            return SymbolTable.TryLookup(blob, (ulong)(BlobEnd() - blob), address, out name, out offset);
        }
    }
}
