using Sticky.Arch;

namespace Sticky.Drivers
{
    // 16550 UART on COM1, polled for output, interrupt-driven for input (io/ConsoleInput.cs).
    // 115200 8N1: what QEMU's -serial stdio and every terminal expect.
    public static class Serial
    {
        private const ushort Com1 = 0x3F8;
        private const ushort Data = Com1 + 0, InterruptEnable = Com1 + 1, FifoControl = Com1 + 2,
            LineControl = Com1 + 3, ModemControl = Com1 + 4, LineStatus = Com1 + 5;
        private const byte TransmitEmpty = 0x20, DataReady = 0x01;

        public static void Init()
        {
            Cpu.Out8(InterruptEnable, 0x00);
            Cpu.Out8(LineControl, 0x80);   // DLAB on: next two writes set the divisor
            Cpu.Out8(Data, 0x01);          // 115200 / 1
            Cpu.Out8(InterruptEnable, 0x00);
            Cpu.Out8(LineControl, 0x03);   // 8 bits, no parity, one stop bit
            Cpu.Out8(FifoControl, 0xC7);
            Cpu.Out8(ModemControl, 0x0B);
        }

        public static void WriteByte(byte b)
        {
            while ((Cpu.In8(LineStatus) & TransmitEmpty) == 0) Cpu.Pause();
            Cpu.Out8(Data, b);
        }

        public static bool TryReadByte(out byte b)
        {
            if ((Cpu.In8(LineStatus) & DataReady) == 0) { b = 0; return false; }
            b = Cpu.In8(Data);
            return true;
        }

        // Receive interrupts feed the console input queue (IRQ 4).
        public static void EnableReceiveInterrupt() => Cpu.Out8(InterruptEnable, 0x01);
    }
}
