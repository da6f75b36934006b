using Sticky.Arch;

namespace Sticky.Drivers
{
    // The CMOS real-time clock, read once at boot to anchor CLOCK_REALTIME.
    // QEMU's RTC follows the host's UTC clock.
    public static class Rtc
    {
        private const ushort Index = 0x70, Data = 0x71;
        private const byte UpdateInProgress = 0x80, StatusA = 0x0A, StatusB = 0x0B;

        // Seconds since 1970-01-01 UTC.
        public static ulong ReadUnixTime()
        {
            while ((Read(StatusA) & UpdateInProgress) != 0) Cpu.Pause();
            ulong sec = Read(0x00), min = Read(0x02), hour = Read(0x04), day = Read(0x07), month = Read(0x08), year = Read(0x09);
            byte format = Read(StatusB);
            bool binary = (format & 0x04) != 0, hour24 = (format & 0x02) != 0;
            bool pm = (hour & 0x80) != 0;
            hour &= 0x7F;
            if (!binary) { sec = Bcd(sec); min = Bcd(min); hour = Bcd(hour); day = Bcd(day); month = Bcd(month); year = Bcd(year); }
            if (!hour24 && pm) hour = (hour % 12) + 12;
            year += 2000;
            return DaysSinceEpoch(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
        }

        private static byte Read(byte register)
        {
            Cpu.Out8(Index, register);
            return Cpu.In8(Data);
        }

        private static ulong Bcd(ulong v) => (v & 0x0F) + (v >> 4) * 10;

        // Days from 1970-01-01 to the given civil date (proleptic Gregorian).
        private static ulong DaysSinceEpoch(ulong year, ulong month, ulong day)
        {
            long y = (long)year - (month <= 2 ? 1 : 0);
            long era = y / 400;
            long yoe = y - era * 400;
            long m = (long)month;
            long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + (long)day - 1;
            long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return (ulong)(era * 146097 + doe - 719468);
        }
    }
}
