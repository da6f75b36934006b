using Sticky.Mm;

namespace Sticky.Fs
{
    // The cpio (newc) archive QEMU loaded with -initrd: read-only files that
    // execve loads from. The frame table keeps its frames reserved, and the
    // direct map makes it addressable, so files are used in place.
    public static unsafe class Initramfs
    {
        private static byte* _archive;
        private static ulong _length;

        public static bool Present => _archive != null;

        public static void Init(ulong physicalBase, ulong length)
        {
            if (length == 0) return;
            _archive = DirectMap.Pointer(new FrameNumber(physicalBase >> Paging.PageShift)) + (physicalBase & Paging.PageMask);
            _length = length;
        }

        // `path` with or without a leading '/'. 0, -ENOENT, or -EACCES for a non-regular file.
        public static int Open(byte* path, int length, out CpioEntry file)
        {
            file = default;
            if (_archive == null || !Cpio.Find(_archive, _length, path, length, out file)) return -Errno.ENOENT;   // Find ignores a leading '/'
            return file.IsRegular ? 0 : -Errno.EACCES;
        }
    }
}
