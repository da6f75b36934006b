using System.Runtime;
using System.Runtime.CompilerServices;

namespace Sticky.Runtime
{
    // Addresses the linker chose (boot/linker.ld), as one table in the image
    // (asm/runtime.asm kernel_layout_table; field order is a contract with it).
    // Readable from the first instruction: no initialisation needed.
    public struct ImageLayout
    {
        public ulong PhysStart, PhysEnd;
        public ulong TextStart, TextEnd, RodataStart, RodataEnd, DataStart, DataEnd;
        public ulong KsymsStart, KsymsEnd, KernelEnd;
        public ulong ModulesStart, ModulesEnd;
        public ulong BootHeapStart, BootHeapEnd;
        public ulong BootStackGuard, BootStackBottom, BootStackTop;
    }

    public static unsafe class KernelImage
    {
        [RuntimeImport("*", "kernel_layout")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ImageLayout* Table();

        public static ImageLayout* Layout => Table();
    }
}
