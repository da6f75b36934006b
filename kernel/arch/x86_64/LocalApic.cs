namespace Sticky.Arch
{
    // The local APIC. For now it only passes the legacy PIC's interrupts through
    // (LINT0 in ExtINT mode): firmware normally sets that up, but a PVH boot
    // skips the firmware that would. SMP will use its timer and IPIs.
    public static unsafe class LocalApic
    {
        private const ulong PhysicalBase = 0xFEE00000;
        private const int TaskPriority = 0x80, SpuriousVector = 0xF0, Lint0 = 0x350, Lint1 = 0x360;
        private const uint Enable = 1 << 8, ExtInt = 7 << 8, Nmi = 4 << 8;

        private static uint* Register(int offset) => (uint*)(Sticky.Mm.DirectMap.Base + PhysicalBase + (ulong)offset);

        public static void InitLegacyPassThrough()
        {
            *Register(TaskPriority) = 0;
            *Register(SpuriousVector) = Enable | Traps.SpuriousVector;
            *Register(Lint0) = ExtInt;
            *Register(Lint1) = Nmi;
        }
    }
}
