using Sticky.Arch;

namespace Sticky.Mm
{
    // All physical memory is mapped at Base, so a physical address is
    // reachable by adding that base.
    public unsafe struct DirectMap : IPhysicalMemory
    {
        public const ulong Base = 0xFFFF800000000000UL;
        public byte* Map(PhysicalAddress address) => (byte*)(Base + address.Value);
        public static byte* Pointer(FrameNumber frame) => (byte*)(Base + frame.Address.Value);
    }

    // The TLBs of every CPU that may cache one address space (its SpaceState),
    // or for the kernel's own tables (no SpaceState) this CPU's: kernel-half
    // changes that other CPUs may cache are shot down by their owner
    // explicitly (KernelStackAllocator).
    public readonly struct CpuTlb : ITlb
    {
        public readonly SpaceState State;
        public CpuTlb(SpaceState state) { State = state; }

        public void InvalidatePage(VirtualAddress page)
        {
            if (State != null) State.Note(page.Value);
            else Cpu.InvalidatePage(page.Value);
        }

        // Rewriting CR3 drops every non-Global translation: the user half.
        public void InvalidateAll()
        {
            if (State != null) State.NoteAll();
            else Cpu.WriteCr3(Cpu.ReadCr3());
        }

        public void Flush() => State?.Flush();
    }
}
