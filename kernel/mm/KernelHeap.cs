using System.Runtime;
using System.Runtime.CompilerServices;

namespace Sticky.Mm
{
    // Early kernel heap: a bump allocator over a region reserved in the image
    // (boot/heap.asm). Used before the frame allocator exists.
    public static unsafe class KernelHeap
    {
        [RuntimeImport("*", "heap_region_start")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern byte* RegionStart();
        [RuntimeImport("*", "heap_region_end")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern byte* RegionEnd();

        private static byte* _next;
        private static ulong _allocated;

        public static ulong BytesAllocated => _allocated;

        // Returns zeroed memory (the region is .bss), 16-byte aligned, or null.
        public static void* Allocate(ulong size)
        {
            if (_next == null) _next = RegionStart();
            size = (size + 15) & ~15UL;
            if (_next + size > RegionEnd()) return null;
            byte* p = _next;
            _next += size;
            _allocated += size;
            return p;
        }
    }
}
