namespace Sticky.Arch
{
    // The two legacy 8259 PICs, remapped so IRQ n arrives on vector 32 + n
    // (vectors 0..31 belong to CPU exceptions). Every line starts masked.
    public static class Pic
    {
        private const ushort MasterCommand = 0x20, MasterData = 0x21, SlaveCommand = 0xA0, SlaveData = 0xA1;
        private const byte EndOfInterruptCommand = 0x20, ReadIsr = 0x0B;
        private static ushort _mask = 0xFFFF;

        public static void Init()
        {
            Cpu.Out8(MasterCommand, 0x11); Cpu.Out8(SlaveCommand, 0x11);   // ICW1: init, expect ICW4
            Cpu.Out8(MasterData, (byte)Traps.IrqBase); Cpu.Out8(SlaveData, (byte)(Traps.IrqBase + 8));
            Cpu.Out8(MasterData, 4); Cpu.Out8(SlaveData, 2);                 // cascade on IRQ2
            Cpu.Out8(MasterData, 1); Cpu.Out8(SlaveData, 1);                 // 8086 mode
            _mask = 0xFFFF & ~(1 << 2);                                      // cascade line stays open
            Apply();
        }

        public static void Unmask(int irq) { _mask &= (ushort)~(1 << irq); Apply(); }

        private static void Apply()
        {
            Cpu.Out8(MasterData, (byte)_mask);
            Cpu.Out8(SlaveData, (byte)(_mask >> 8));
        }

        public static void EndOfInterrupt(int irq)
        {
            if (irq >= 8) Cpu.Out8(SlaveCommand, EndOfInterruptCommand);
            Cpu.Out8(MasterCommand, EndOfInterruptCommand);
        }

        // IRQ 7 and 15 fire spuriously when a request vanishes; the in-service
        // register tells a real one from a ghost.
        public static bool IsSpurious(int irq)
        {
            if (irq == 7) { Cpu.Out8(MasterCommand, ReadIsr); return (Cpu.In8(MasterCommand) & 0x80) == 0; }
            if (irq == 15)
            {
                Cpu.Out8(SlaveCommand, ReadIsr);
                if ((Cpu.In8(SlaveCommand) & 0x80) != 0) return false;
                Cpu.Out8(MasterCommand, EndOfInterruptCommand);   // the master did see the cascade
                return true;
            }
            return false;
        }
    }
}
