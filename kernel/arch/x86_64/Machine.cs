namespace Sticky.Arch
{
    // Leaving the machine. QEMU's isa-debug-exit device (port 0xf4) turns a write
    // of v into process exit status (v << 1) | 1; without the device we halt.
    public static class Machine
    {
        private const ushort DebugExitPort = 0xF4;
        public const byte ExitSuccess = 0x10;  // QEMU exits 33
        public const byte ExitFailure = 0x11;  // QEMU exits 35
        public const byte ExitPanic = 0x12;    // QEMU exits 37

        public static void Exit(byte code)
        {
            Cpu.DisableInterrupts();
            Cpu.Out8(DebugExitPort, code);
            while (true) Cpu.Halt();
        }
    }
}
