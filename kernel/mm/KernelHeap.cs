using Sticky.Runtime;
using Sticky.Sync;

namespace Sticky.Mm
{
    // The kernel heap behind C# `new`: a SlabHeap (size classes, real free) fed
    // with pages. Until the frame allocator exists, pages come from a region
    // reserved in the image (asm/runtime.asm); afterwards from physical frames.
    public static unsafe class KernelHeap
    {
        // All-zero is a valid empty heap, so it is usable before any code runs
        // (the runtime allocates static bases with it first thing).
        private static SlabHeap<KernelPages> _heap;
        private static SpinLock _lock;

        public static long BytesInUse => _heap.BytesInUse;
        public static long PagesHeld => _heap.PagesHeld;
        public static long Allocations => _heap.Allocations;
        public static long Frees => _heap.Frees;

        // Zeroed memory, 16-byte aligned, or null.
        public static void* Allocate(ulong size)
        {
            ulong flags = _lock.AcquireIrqSave();
            void* p = _heap.Allocate(size);
            _lock.ReleaseIrqRestore(flags);
            return p;
        }

        public static void Free(void* block)
        {
            ulong flags = _lock.AcquireIrqSave();
            _heap.Free(block);
            _lock.ReleaseIrqRestore(flags);
        }

        // Releases a kernel object allocated by `new`. The caller guarantees no
        // reference to it remains: there is no collector to check.
        public static void Free(object o)
        {
            if (o == null) return;
            Free((byte*)Sticky.Runtime.ObjectRef.AddressOf(o) - Sticky.Runtime.ObjectAllocator.HeaderSize);
        }
    }

    // Pages for the heap: the boot region first (a first-fit bitmap over a
    // region reserved in the image), then frames through the direct map.
    public unsafe struct KernelPages : IPageSource
    {
        private static byte* RegionStart() => (byte*)KernelImage.Layout->BootHeapStart;
        private static byte* RegionEnd() => (byte*)KernelImage.Layout->BootHeapEnd;

        private const int MaxBootPages = 128;   // the 512 KiB region (asm/runtime.asm)
        private struct Bitmap { public fixed ulong Bits[MaxBootPages / 64]; }
        private static Bitmap _used;

        // Installed by mm once the frame allocator runs: (count) -> zeroed pages, and their release.
        public static delegate*<int, byte*> FrameSource;
        public static delegate*<byte*, int, void> FrameSink;

        // Clamped to the bitmap, should the region ever outgrow it.
        private static int BootPages
        {
            get
            {
                int pages = (int)((ulong)(RegionEnd() - RegionStart()) / 4096);
                return pages < MaxBootPages ? pages : MaxBootPages;
            }
        }

        public byte* AllocatePages(int count)
        {
            if (FrameSource != null)
            {
                byte* p = FrameSource(count);
                if (p != null) return p;
            }
            fixed (ulong* bits = _used.Bits)
            {
                int total = BootPages, run = 0;
                for (int i = 0; i < total; i++)
                {
                    run = (bits[i / 64] & (1UL << (i % 64))) != 0 ? 0 : run + 1;
                    if (run < count) continue;
                    int first = i - count + 1;
                    for (int j = first; j <= i; j++) bits[j / 64] |= 1UL << (j % 64);
                    return RegionStart() + (ulong)first * 4096;
                }
            }
            return null;
        }

        public void FreePages(byte* pages, int count)
        {
            byte* start = RegionStart();
            if (pages < start || pages >= RegionEnd()) { FrameSink(pages, count); return; }
            // Zeroed now, because AllocatePages promises zeroed pages.
            Memory.Set(pages, 0, (ulong)count * 4096);
            int first = (int)((ulong)(pages - start) / 4096);
            fixed (ulong* bits = _used.Bits)
                for (int j = first; j < first + count; j++) bits[j / 64] &= ~(1UL << (j % 64));
        }
    }
}
