using Sticky.Arch;
using Sticky.Time;

namespace Sticky.Tests
{
    public static class TimerTests
    {
        public static unsafe void Register()
        {
            SelfTest.Add("timer_ticks_and_clock", &TicksAndClock);
        }

        // The tick must advance with interrupts on, and the nanosecond clock must
        // be monotonic and agree with the tick count to within a few ticks.
        private static string TicksAndClock()
        {
            ulong t0 = Clock.NowNanoseconds, ticks0 = Clock.Ticks;
            ulong last = t0;
            while (Clock.Ticks < ticks0 + 20)
            {
                ulong now = Clock.NowNanoseconds;
                if (now < last) return "clock went backwards";
                last = now;
                Cpu.Halt();
            }
            ulong elapsedNs = Clock.NowNanoseconds - t0;
            if (elapsedNs < 15 * Clock.NanosecondsPerTick) return "clock advanced less than the ticks";
            // 30, not more: a clock calibrated 2x too fast must fail this test.
            if (elapsedNs > 30 * Clock.NanosecondsPerTick) return "clock advanced far more than the ticks";
            return null;
        }
    }
}
