using Sticky.Runtime;

namespace Sticky.Debug
{
    // Where kernel stacks are, so the panic path reads only memory that exists
    // (a double fault's RSP may point anywhere).
    public static unsafe class StackBounds
    {
        // Set by the thread layer: true if [address, address+size) lies in some thread's kernel stack.
        public static delegate*<ulong, ulong, bool> ThreadStackContains;

        public static bool Contains(ulong address, ulong size)
        {
            if ((address & 7) != 0 || address + size < address) return false;
            ImageLayout* image = KernelImage.Layout;
            if (address >= image->BootStackBottom && address + size <= image->BootStackTop) return true;
            if (Sticky.Arch.Cpus.IsIstStack(address, size)) return true;
            return ThreadStackContains != null && ThreadStackContains(address, size);
        }
    }
}
