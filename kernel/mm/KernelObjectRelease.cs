namespace Sticky.Mm
{
    // In the kernel, objects the memory manager drops (outgrown region arrays,
    // dead shared-memory objects) go back to the kernel heap. On the host the
    // partial method has no body and the call compiles away.
    public static partial class ObjectRelease
    {
        static partial void Free(object o) => KernelHeap.Free(o);
    }
}
