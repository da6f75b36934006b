using System;

namespace Sticky.Mm
{
    // What a region allows (mmap's PROT_*).
    [Flags]
    public enum Protection : byte
    {
        None = 0,
        Read = 1,
        Write = 2,
        Execute = 4,
        ReadWrite = Read | Write,
        ReadExecute = Read | Execute,
    }
}
