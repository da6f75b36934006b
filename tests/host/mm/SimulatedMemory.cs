using System;
using Sticky.Mm;

namespace Sticky.Tests.Mm;

// Stands in for RAM on the host: physical address N is byte N of a native
// buffer. Owned by a Machine, which allocates and frees the buffer; copies of
// this struct are handles onto the same bytes, as IPhysicalMemory requires.
public readonly unsafe struct SimulatedMemory : IPhysicalMemory
{
    public readonly byte* Base;
    public readonly ulong Size;

    public SimulatedMemory(byte* @base, ulong size) { Base = @base; Size = size; }

    public byte* Map(PhysicalAddress address)
    {
        if (address.Value >= Size) throw new InvalidOperationException("SimulatedMemory: " + address + " is past the end of RAM");
        return Base + address.Value;
    }
}
