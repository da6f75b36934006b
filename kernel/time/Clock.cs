using Sticky.Arch;
using Sticky.Drivers;

namespace Sticky.Time
{
    // Monotonic time in nanoseconds since boot, from the TSC calibrated against
    // the PIT at boot. The 1 kHz tick that drives the scheduler (slices,
    // deadlines) is the PIT's on the boot CPU (Ticks counts it) and each other
    // CPU's own local APIC timer. The boot CPU keeps the PIT because QEMU
    // delivers PIT ticks a stalled vCPU missed late, while a periodic local
    // APIC timer drops them: under a loaded host, Ticks would fall behind the
    // clock (timer_ticks_and_clock).
    public static unsafe class Clock
    {
        public const uint TickHz = 1000;
        public const ulong NanosecondsPerTick = 1000000000UL / TickHz;

        private static ulong _ticks;
        private static ulong _tscAtBoot;
        private static ulong _nsPerTscFixed32;   // nanoseconds per TSC cycle, 32.32 fixed point

        // Called from every CPU's timer interrupt, before anything that may switch threads.
        public static delegate*<void> TickHook;

        public static ulong Ticks => _ticks;

        public static void Init()
        {
            _tscAtBoot = Cpu.ReadTimestamp();
            Pit.Start(TickHz);
            Interrupts.Register(Interrupts.TimerIrq, &OnTimerInterrupt);
        }

        private static void OnTimerInterrupt(TrapFrame* frame)
        {
            _ticks++;
            if (TickHook != null) TickHook();
        }

        // After Calibrate: the local APIC timers the other CPUs tick on
        // (StartLocalTimer, on each of them), measured against the TSC.
        public static void CalibrateLocalTimers()
        {
            LocalApic.CalibrateTimer(10_000_000);
            Interrupts.RegisterLocal(Interrupts.LocalTimerVector, &OnLocalTimer);
        }

        public static void StartLocalTimer() => LocalApic.StartTimer(Interrupts.LocalTimerVector);
        public static void StopLocalTimer() => LocalApic.StopTimer();

        private static void OnLocalTimer(TrapFrame* frame)
        {
            if (TickHook != null) TickHook();
        }

        // Measures the TSC over `ms` timer ticks; interrupts must be on.
        public static void Calibrate(uint ms)
        {
            ulong start = _ticks;
            while (_ticks == start) Cpu.Halt();
            ulong t0 = Cpu.ReadTimestamp(), tick0 = _ticks;
            while (_ticks < tick0 + ms) Cpu.Halt();
            ulong cycles = Cpu.ReadTimestamp() - t0;
            ulong elapsedNs = (_ticks - tick0) * NanosecondsPerTick;
            if (cycles == 0) return;   // no usable TSC: stay on tick resolution
            _tscAtBoot = t0 - MulDiv(tick0 * NanosecondsPerTick, cycles, elapsedNs);
            _nsPerTscFixed32 = (elapsedNs << 32) / cycles;
        }

        // The TSC's rate as calibrated (/proc/cpuinfo's MHz); 0 without one.
        public static ulong TscKiloHertz => _nsPerTscFixed32 == 0 ? 0 : (1_000_000UL << 32) / _nsPerTscFixed32;

        public static ulong NowNanoseconds
        {
            get
            {
                if (_nsPerTscFixed32 == 0) return _ticks * NanosecondsPerTick;
                ulong delta = Cpu.ReadTimestamp() - _tscAtBoot;
                // delta * fixed >> 32 without a 128-bit type: split delta into halves.
                return (delta >> 32) * _nsPerTscFixed32 + (((delta & 0xFFFFFFFF) * _nsPerTscFixed32) >> 32);
            }
        }

        private static ulong MulDiv(ulong a, ulong b, ulong c) => c == 0 ? 0 : a / c * b + a % c * b / c;
    }
}
