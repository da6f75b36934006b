namespace Sticky.Mm
{
    // How mm code reaches physical memory. Kernel: the direct map (a fixed
    // virtual offset + physical address). Host tests: SimulatedMemory, a native
    // buffer standing in for RAM.
    //
    // Implemented by structs and used ONLY as a generic constraint
    // (`where TMem : struct, IPhysicalMemory`): ILC then compiles a direct call
    // per instantiation. The kernel runtime has no interface dispatch, so never
    // store an implementation in an IPhysicalMemory-typed variable.
    // Implementations are handles: copies must reach the same memory.
    public unsafe interface IPhysicalMemory
    {
        // A pointer to the byte at `address`. The whole 4 KiB frame holding it is
        // contiguous behind that pointer (mm code zeroes and copies whole frames).
        byte* Map(PhysicalAddress address);
    }
}
