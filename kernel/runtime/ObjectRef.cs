using System.Runtime;
using System.Runtime.CompilerServices;

namespace Sticky.Runtime
{
    // Converts between references and addresses. Implemented as one-instruction
    // asm identity functions, which is all a reference is without a moving collector.
    public static unsafe class ObjectRef
    {
        [RuntimeImport("*", "rt_identity")] [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void* AddressOf(object o);

        [RuntimeImport("*", "rt_identity")] [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern object FromAddress(void* p);
    }
}
