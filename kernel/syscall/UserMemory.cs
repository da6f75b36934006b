using Sticky.Arch;
using Sticky.Mm;

namespace Sticky.Sys
{
    // Every copy between the kernel and a user pointer goes through here. The
    // range check keeps user pointers in the lower half; SafeAccess turns a
    // fault that the memory manager cannot resolve into a false return
    // (EFAULT). Writes fault like user writes, so they break copy-on-write.
    public static unsafe class UserMemory
    {
        public static bool IsUserRange(ulong address, ulong length) =>
            address + length >= address && address + length <= Paging.UserEnd;

        public static bool CopyIn(void* into, ulong from, ulong length) =>
            IsUserRange(from, length) && (length == 0 || SafeAccess.TryCopy(into, (void*)from, length));

        public static bool CopyOut(ulong into, void* from, ulong length) =>
            IsUserRange(into, length) && (length == 0 || SafeAccess.TryCopy((void*)into, from, length));

        // Zero-fills user memory (an rusage, an old sigaction nobody keeps).
        public static bool Zero(ulong into, ulong length) =>
            IsUserRange(into, length) && (length == 0 || SafeAccess.TryZero((void*)into, length));

        public static bool Read<T>(ulong from, out T value) where T : unmanaged
        {
            T v;
            bool ok = CopyIn(&v, from, (ulong)sizeof(T));
            value = ok ? v : default;
            return ok;
        }

        public static bool Write<T>(ulong into, T value) where T : unmanaged => CopyOut(into, &value, (ulong)sizeof(T));

        // The length of a NUL-terminated user string shorter than `max` bytes:
        // the length, -EFAULT, or -ENAMETOOLONG.
        public static int StringLength(ulong from, int max)
        {
            for (int i = 0; i < max; i++)
            {
                if (!Read(from + (ulong)i, out byte b)) return -Errno.EFAULT;
                if (b == 0) return i;
            }
            return -Errno.ENAMETOOLONG;
        }

        // A NUL-terminated string of at most `capacity - 1` bytes into `into`
        // (NUL-terminated). Returns its length, -EFAULT, or -ENAMETOOLONG.
        public static int ReadString(ulong from, byte* into, int capacity)
        {
            for (int i = 0; i < capacity; i++)
            {
                if (!Read(from + (ulong)i, out byte b)) return -Errno.EFAULT;
                into[i] = b;
                if (b == 0) return i;
            }
            return -Errno.ENAMETOOLONG;
        }
    }
}
