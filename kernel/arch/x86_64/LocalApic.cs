using Sticky.Time;

namespace Sticky.Arch
{
    // Each CPU's local APIC (xAPIC, memory-mapped; every CPU sees its own at
    // the same address): its timer (the scheduler tick on every CPU),
    // inter-processor interrupts, and on the boot CPU the pass-through of the
    // legacy PIC's interrupts (LINT0 in ExtINT mode: firmware normally sets it
    // up, a PVH boot skips that firmware).
    public static unsafe class LocalApic
    {
        private const ulong PhysicalBase = 0xFEE00000;
        private const int IdRegister = 0x20, TaskPriority = 0x80, EndOfInterruptRegister = 0xB0, SpuriousVector = 0xF0,
            CommandLow = 0x300, CommandHigh = 0x310, LvtTimer = 0x320, Lint0 = 0x350, Lint1 = 0x360, LvtError = 0x370,
            TimerInitialCount = 0x380, TimerCurrentCount = 0x390, TimerDivide = 0x3E0;
        private const uint Enable = 1 << 8, Masked = 1 << 16, ExtInt = 7 << 8, Nmi = 4 << 8, Periodic = 1 << 17;
        private const uint DivideBy16 = 3;

        // Interrupt command register: delivery mode, level, shorthand.
        private const uint DeliveryFixed = 0 << 8, DeliveryNmi = 4 << 8, DeliveryInit = 5 << 8, DeliveryStartup = 6 << 8;
        private const uint LevelAssert = 1 << 14, DeliveryPending = 1 << 12, AllExcludingSelf = 3u << 18;

        private static uint _countsPerTick;   // timer counts (bus clock / 16) per scheduler tick

        private static uint* Register(int offset) => (uint*)(Sticky.Mm.DirectMap.Base + PhysicalBase + (ulong)offset);

        public static uint Id => *Register(IdRegister) >> 24;

        // The boot CPU: the PIC's interrupts arrive through LINT0.
        public static void InitBootCpu()
        {
            InitCommon();
            *Register(Lint0) = ExtInt;
        }

        // An application processor: only its own timer and IPIs.
        public static void InitApplicationProcessor()
        {
            InitCommon();
            *Register(Lint0) = Masked;
        }

        private static void InitCommon()
        {
            *Register(TaskPriority) = 0;
            *Register(SpuriousVector) = Enable | Traps.SpuriousVector;
            *Register(Lint1) = Nmi;
            *Register(LvtError) = Masked;
            *Register(LvtTimer) = Masked;
        }

        // Every interrupt delivered by the local APIC (timer, IPIs) is acknowledged
        // here; the PIC's (ExtINT) are acknowledged at the PIC.
        public static void EndOfInterrupt() => *Register(EndOfInterruptRegister) = 0;

        // ---- timer ------------------------------------------------------------

        // Measures the timer against the calibrated TSC clock (the same on every
        // CPU: QEMU and real machines drive all local APIC timers from one clock).
        public static void CalibrateTimer(ulong nanoseconds)
        {
            *Register(TimerDivide) = DivideBy16;
            *Register(LvtTimer) = Masked;
            *Register(TimerInitialCount) = uint.MaxValue;
            ulong start = Clock.NowNanoseconds;
            while (Clock.NowNanoseconds - start < nanoseconds) Cpu.Pause();
            uint elapsed = uint.MaxValue - *Register(TimerCurrentCount);
            ulong elapsedNs = Clock.NowNanoseconds - start;
            *Register(TimerInitialCount) = 0;
            ulong perTick = (ulong)elapsed * Clock.NanosecondsPerTick / elapsedNs;
            _countsPerTick = perTick == 0 ? 1 : perTick > uint.MaxValue ? uint.MaxValue : (uint)perTick;
        }

        public static uint CountsPerTick => _countsPerTick;

        // This CPU's periodic tick at Clock.TickHz on `vector`.
        public static void StartTimer(int vector)
        {
            *Register(TimerDivide) = DivideBy16;
            *Register(LvtTimer) = Periodic | (uint)vector;
            *Register(TimerInitialCount) = _countsPerTick;
        }

        public static void StopTimer()
        {
            *Register(LvtTimer) = Masked;
            *Register(TimerInitialCount) = 0;
        }

        // ---- inter-processor interrupts ---------------------------------------

        public static void SendInit(uint apicId) => Command(apicId, DeliveryInit | LevelAssert);

        // Start-up IPI: the processor starts in real mode at page `page` (physical page * 4096).
        public static void SendStartup(uint apicId, uint page) => Command(apicId, DeliveryStartup | LevelAssert | (page & 0xFF));

        public static void Send(uint apicId, int vector) => Command(apicId, DeliveryFixed | LevelAssert | (uint)vector);

        // Reaches a CPU even with its interrupts off (the panic's stop-everyone).
        public static void SendNmiToOthers() => Command(0, AllExcludingSelf | DeliveryNmi | LevelAssert);

        // Writing the low half sends; the high half names the destination.
        // Interrupts off around the pair, so an IPI sent from an interrupt
        // handler on this CPU cannot slip between the two writes.
        private static void Command(uint apicId, uint low)
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();
            while ((*Register(CommandLow) & DeliveryPending) != 0) Cpu.Pause();
            *Register(CommandHigh) = apicId << 24;
            *Register(CommandLow) = low;
            while ((*Register(CommandLow) & DeliveryPending) != 0) Cpu.Pause();
            Cpu.RestoreInterrupts(flags);
        }
    }
}
