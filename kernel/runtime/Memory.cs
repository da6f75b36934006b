using System.Runtime;

namespace Sticky.Runtime
{
    // Block memory operations. The JIT calls memset/memmove for large struct
    // copies and zeroing; kernel code calls these directly.
    public static unsafe class Memory
    {
        public static void Copy(void* dst, void* src, ulong count) => Move(dst, src, count);

        public static void Move(void* dst, void* src, ulong count)
        {
            byte* d = (byte*)dst, s = (byte*)src;
            if (d == s || count == 0) return;
            if (d < s || d >= s + count)
            {
                ulong i = 0;
                if ((((ulong)d | (ulong)s) & 7) == 0)
                    for (; i + 8 <= count; i += 8) *(ulong*)(d + i) = *(ulong*)(s + i);
                for (; i < count; i++) d[i] = s[i];
            }
            else
            {
                for (ulong i = count; i > 0; i--) d[i - 1] = s[i - 1];
            }
        }

        public static void Set(void* dst, byte value, ulong count)
        {
            byte* d = (byte*)dst;
            ulong i = 0;
            if (((ulong)d & 7) == 0)
            {
                ulong v = value * 0x0101010101010101UL;
                for (; i + 8 <= count; i += 8) *(ulong*)(d + i) = v;
            }
            for (; i < count; i++) d[i] = value;
        }

        [RuntimeExport("memset")]
        private static void* MemSet(void* dst, int value, ulong count) { Set(dst, (byte)value, count); return dst; }

        [RuntimeExport("memcpy")]
        private static void* MemCpy(void* dst, void* src, ulong count) { Move(dst, src, count); return dst; }

        [RuntimeExport("memmove")]
        private static void* MemMove(void* dst, void* src, ulong count) { Move(dst, src, count); return dst; }

        [RuntimeExport("RhpMemSet")]
        private static void* RhMemSet(void* dst, int value, ulong count) => MemSet(dst, value, count);
    }
}
