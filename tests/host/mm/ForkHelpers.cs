using Sticky.Mm;
using Xunit;
using Space = Sticky.Mm.AddressSpace<Sticky.Tests.Mm.SimulatedMemory, Sticky.Tests.Mm.RecordingTlb>;

namespace Sticky.Tests.Mm;

// Short forms for fork tests: user accesses that must succeed, and PTE lookups.
public static class ForkHelpers
{
    public static VirtualAddress At(ulong a) => new(a);

    public static void Poke(Machine m, Space s, ulong va, byte value) =>
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Write(m, s, va, value));

    public static byte Peek(Machine m, Space s, ulong va)
    {
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Read(m, s, va, out byte b));
        return b;
    }

    public static PageTableEntry Pte(Space s, ulong va)
    {
        s.Table.GetEntry(At(va), out PageTableEntry pte);
        return pte;
    }

    public static FrameNumber FrameAt(Space s, ulong va)
    {
        PageTableEntry pte = Pte(s, va);
        Assert.True(pte.IsPresent);
        return pte.Frame;
    }

    public static Space Fork(Space parent, bool eager = false)
    {
        Space child = parent.Fork(eager);
        Assert.NotNull(child);
        return child;
    }
}
