using Sticky.Arch;

namespace Sticky.Drivers
{
    // The 8254 programmable interval timer, channel 0 as the periodic tick on IRQ 0.
    // 1 kHz: sleeps and futex timeouts need about a millisecond of accuracy.
    public static class Pit
    {
        public const uint InputHz = 1193182;
        private const ushort Channel0 = 0x40, Command = 0x43;

        public static void Start(uint hz)
        {
            uint divisor = InputHz / hz;
            Cpu.Out8(Command, 0x34);            // channel 0, lobyte/hibyte, mode 2 (rate generator)
            Cpu.Out8(Channel0, (byte)divisor);
            Cpu.Out8(Channel0, (byte)(divisor >> 8));
        }
    }
}
