using Sticky.Mm;

namespace Sticky.Tests.Mm;

// User-mode loads and stores through an address space, the way the MMU would
// do them: translate, and on a miss or a denied access raise a page fault and
// retry if the handler says so.
public static unsafe class SimulatedCpu
{
    public static FaultVerdict Write(Machine m, AddressSpace<SimulatedMemory, RecordingTlb> space, ulong va, byte value) =>
        Access(m, space, va, isWrite: true, value, out _);

    public static FaultVerdict Read(Machine m, AddressSpace<SimulatedMemory, RecordingTlb> space, ulong va, out byte value) =>
        Access(m, space, va, isWrite: false, 0, out value);

    private static FaultVerdict Access(Machine m, AddressSpace<SimulatedMemory, RecordingTlb> space, ulong va,
                                       bool isWrite, byte value, out byte read)
    {
        read = 0;
        var address = new VirtualAddress(va);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            bool present = space.Table.Translate(address, out PhysicalAddress pa, out PageFlags flags);
            bool allowed = present && (flags & PageFlags.User) != 0 && (!isWrite || (flags & PageFlags.Writable) != 0);
            if (allowed)
            {
                if (isWrite) *m.Ram.Map(pa) = value; else read = *m.Ram.Map(pa);
                return FaultVerdict.Handled;
            }
            FaultVerdict v = space.HandleFault(address, isWrite, isUser: true, isExec: false);
            if (v != FaultVerdict.Handled) return v;
        }
        return FaultVerdict.AccessViolation;   // the handler said Handled but the access still fails: a bug
    }
}
