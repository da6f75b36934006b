using Sticky.Arch;

namespace Sticky.Drivers
{
    // 16550 UARTs: COM1 is the terminal (tty/KernelTerminal.cs: programs'
    // input and output, and the kernel's messages unless they are sent
    // elsewhere); COM2, when the command line says console=ttyS1, carries only
    // the kernel's messages (Debug.Console). Polled for output,
    // interrupt-driven for COM1's input. 115200 8N1: what QEMU's -serial and
    // every terminal expect.
    public static class Serial
    {
        public const ushort Com1 = 0x3F8, Com2 = 0x2F8;
        private const ushort Data = 0, InterruptEnable = 1, FifoControl = 2, LineControl = 3, ModemControl = 4, LineStatus = 5;
        private const byte TransmitEmpty = 0x20, DataReady = 0x01, ReceiveInterrupt = 0x01;

        public static void Init(ushort port)
        {
            Cpu.Out8((ushort)(port + InterruptEnable), 0x00);
            Cpu.Out8((ushort)(port + LineControl), 0x80);   // DLAB on: next two writes set the divisor
            Cpu.Out8((ushort)(port + Data), 0x01);          // 115200 / 1
            Cpu.Out8((ushort)(port + InterruptEnable), 0x00);
            Cpu.Out8((ushort)(port + LineControl), 0x03);   // 8 bits, no parity, one stop bit
            // COM1 keeps its FIFOs off, as the boot left them: switching them on
            // clears them, which would lose input typed (or piped) ahead of the
            // boot. Without them the UART holds one byte and QEMU waits.
            if (port != Com1) Cpu.Out8((ushort)(port + FifoControl), 0xC7);
            Cpu.Out8((ushort)(port + ModemControl), 0x0B);
        }

        public static void WriteByte(ushort port, byte b)
        {
            while ((Cpu.In8((ushort)(port + LineStatus)) & TransmitEmpty) == 0) Cpu.Pause();
            Cpu.Out8((ushort)(port + Data), b);
        }

        public static bool TryReadByte(out byte b)
        {
            if ((Cpu.In8(Com1 + LineStatus) & DataReady) == 0) { b = 0; return false; }
            b = Cpu.In8(Com1 + Data);
            return true;
        }

        // Receive interrupts (IRQ 4) feed the terminal. Switched off while its
        // input buffer is full, so bytes wait in the UART and QEMU holds back
        // the rest: input is never dropped for lack of room.
        public static void SetReceiveInterrupt(bool on) => Cpu.Out8(Com1 + InterruptEnable, on ? ReceiveInterrupt : (byte)0);
    }
}
