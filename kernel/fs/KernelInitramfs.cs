using Sticky.Mm;

namespace Sticky.Fs
{
    // The cpio (newc) archive QEMU loaded with -initrd: the root of the file
    // tree (Vfs). The frame table keeps its frames reserved, and the direct
    // map makes it addressable, so files are used in place.
    public static unsafe class Initramfs
    {
        private static byte* _archive;
        private static ulong _length;

        public static bool Present => _archive != null;
        public static byte* Archive => _archive;
        public static ulong Length => _length;

        public static void Init(ulong physicalBase, ulong length)
        {
            if (length == 0) return;
            _archive = DirectMap.Pointer(new FrameNumber(physicalBase >> Paging.PageShift)) + (physicalBase & Paging.PageMask);
            _length = length;
        }
    }
}
