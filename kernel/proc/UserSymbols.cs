using Sticky.Debug;

namespace Sticky.Proc
{
    // " <main+0x1c>" after a user address, from the symbol table of the
    // process's executable when it has one (static binaries usually do).
    public static unsafe class UserSymbols
    {
        public static void Describe(Process p, ulong address)
        {
            if (p.Image == null || !Sticky.Exec.ElfSymbols.Find(p.Image, p.ImageSize, p.ImageBias, address,
                    out byte* name, out int nameLength, out ulong offset))
                return;
            Console.Write(" <");
            Console.WriteBytes(name, nameLength);
            if (offset != 0) { Console.Write("+0x"); Console.Hex(offset, 1); }
            Console.Write(">");
        }
    }
}
