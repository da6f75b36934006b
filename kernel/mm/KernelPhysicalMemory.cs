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

    // The TLB of the CPU we run on. SMP will add shootdowns to the other CPUs here:
    // InvalidateAll is the one call a fork or a large munmap makes, so it becomes
    // one shootdown round.
    public struct CpuTlb : ITlb
    {
        public void InvalidatePage(VirtualAddress page) => Cpu.InvalidatePage(page.Value);

        // Rewriting CR3 drops every non-Global translation: the user half.
        public void InvalidateAll() => Cpu.WriteCr3(Cpu.ReadCr3());
    }
}
