using System.Runtime;
using Internal.Runtime;

namespace Sticky.Runtime
{
    // The allocation helpers ILC calls for `new`. Objects live on the kernel
    // heap; there is no collector (see docs/runtime.md): an object that is not
    // freed explicitly stays for the life of the kernel.
    public static unsafe class ObjectAllocator
    {
        // NativeAOT objects carry an 8-byte header before the MethodTable pointer;
        // BaseSize counts it, and an object reference points just past it.
        public const int HeaderSize = 8;

        // For the runtime's own objects (static bases at boot): a real object,
        // MethodTable pointer included, as `new` makes.
        public static void* AllocateObject(MethodTable* type) => NewFast(type);

        private static void* Allocate(ulong size)
        {
            size = (size + 7) & ~7UL;
            byte* block = (byte*)Sticky.Mm.KernelHeap.Allocate(size);
            if (block == null) RuntimeFailure.Fail("kernel heap exhausted");
            return block + HeaderSize;
        }

        [RuntimeExport("RhpNewFast")]
        private static void* NewFast(MethodTable* type)
        {
            void* obj = Allocate(type->BaseSize);
            *(MethodTable**)obj = type;
            return obj;
        }

        [RuntimeExport("RhpNewFinalizable")]
        private static void* NewFinalizable(MethodTable* type) => NewFast(type);

        [RuntimeExport("RhpNewArrayFast")]
        private static void* NewArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        private static void* NewPtrArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpNewArray")]
        private static void* NewArray(MethodTable* type, int length)
        {
            if (length < 0) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowOverflowException();
            ulong size = type->BaseSize + (ulong)length * type->ComponentSize;
            void* obj = Allocate(size);
            *(MethodTable**)obj = type;
            *(int*)((byte*)obj + sizeof(void*)) = length;
            return obj;
        }

        [RuntimeExport("RhpNewVariableSizeObject")]
        private static void* NewVariableSizeObject(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhNewString")]
        private static void* NewString(MethodTable* type, int length) => NewArray(type, length);

        // Write barriers: with no collector there is nothing to record.
        [RuntimeExport("RhpAssignRef")]
        private static void AssignRef(void** dst, void* obj) { *dst = obj; }

        [RuntimeExport("RhpCheckedAssignRef")]
        private static void CheckedAssignRef(void** dst, void* obj) { *dst = obj; }
    }
}
