using System.Runtime;
using System.Runtime.CompilerServices;

namespace Sticky.Arch
{
    // Locked read-modify-write instructions (asm/atomic.asm). Full barriers on x86.
    public static unsafe class Atomic
    {
        [RuntimeImport("*", "atomic_xchg32")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern int Exchange(int* p, int value);
        [RuntimeImport("*", "atomic_cmpxchg32")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern int CompareExchange(int* p, int value, int expected);
        [RuntimeImport("*", "atomic_add32")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern int Add(int* p, int delta);
        [RuntimeImport("*", "atomic_and32")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void And(int* p, int mask);
        [RuntimeImport("*", "atomic_or32")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Or(int* p, int bits);
        [RuntimeImport("*", "atomic_add64")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern long Add(long* p, long delta);
    }
}
