using System.Runtime;
using System.Runtime.CompilerServices;

namespace System.Threading
{
    // The part of .NET's Interlocked that the kernel's shared code uses, so the
    // same source builds for the host (the real one) and for the kernel (these:
    // locked instructions in arch/x86_64/asm/atomic.asm, each a full barrier).
    public static unsafe class Interlocked
    {
        [RuntimeImport("*", "atomic_add32")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern int Add32(int* p, int delta);
        [RuntimeImport("*", "atomic_add64")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern long Add64(long* p, long delta);
        [RuntimeImport("*", "atomic_xchg32")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern int Exchange32(int* p, int value);
        [RuntimeImport("*", "atomic_cmpxchg32")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern int CompareExchange32(int* p, int value, int expected);

        public static int Increment(ref int location) { fixed (int* p = &location) return Add32(p, 1); }
        public static int Decrement(ref int location) { fixed (int* p = &location) return Add32(p, -1); }
        public static int Add(ref int location, int value) { fixed (int* p = &location) return Add32(p, value); }
        public static long Increment(ref long location) { fixed (long* p = &location) return Add64(p, 1); }
        public static long Add(ref long location, long value) { fixed (long* p = &location) return Add64(p, value); }
        public static int Exchange(ref int location, int value) { fixed (int* p = &location) return Exchange32(p, value); }
        public static int CompareExchange(ref int location, int value, int comparand)
        {
            fixed (int* p = &location) return CompareExchange32(p, value, comparand);
        }
    }
}
