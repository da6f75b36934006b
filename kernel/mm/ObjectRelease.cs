namespace Sticky.Mm
{
    // The kernel has no garbage collector: an object mm code drops (an outgrown
    // array, a dead SharedMemoryObject) must be handed back explicitly, here.
    //
    // The hook is a partial method. The kernel implements it in a Kernel*.cs file
    // (compiled only into the kernel), e.g.
    //     public static partial class ObjectRelease
    //     { static partial void Free(object o) { KernelHeap.Free(o); } }
    // Host tests do not, so the call compiles away and the GC reclaims the object.
    public static partial class ObjectRelease
    {
        static partial void Free(object o);

        // The caller must hold the last reference to `o`.
        public static void Release(object o)
        {
            if (o != null) Free(o);
        }
    }
}
