namespace Sticky.Lib
{
    // Number formatting into caller buffers: no allocation, shared with host tests.
    public static unsafe class Format
    {
        private const string Digits = "0123456789abcdef";

        // Writes `value` in hex, zero-padded to `minDigits`; returns the length.
        public static int Hex(ulong value, int minDigits, byte* buffer)
        {
            int n = 0;
            byte* tmp = stackalloc byte[16];
            do { tmp[n++] = (byte)Digits[(int)(value & 0xF)]; value >>= 4; } while (value != 0);
            while (n < minDigits && n < 16) tmp[n++] = (byte)'0';
            for (int i = 0; i < n; i++) buffer[i] = tmp[n - 1 - i];
            return n;
        }

        public static int Decimal(long value, byte* buffer)
        {
            if (value < 0)
            {
                buffer[0] = (byte)'-';
                return 1 + Unsigned(value == long.MinValue ? 9223372036854775808UL : (ulong)(-value), buffer + 1);
            }
            return Unsigned((ulong)value, buffer);
        }

        public static int Unsigned(ulong value, byte* buffer)
        {
            int n = 0;
            byte* tmp = stackalloc byte[20];
            do { tmp[n++] = (byte)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
            for (int i = 0; i < n; i++) buffer[i] = tmp[n - 1 - i];
            return n;
        }

        // "12.345" style fixed point: value / 10^decimals.
        public static int Fixed(ulong value, int decimals, byte* buffer)
        {
            ulong scale = 1;
            for (int i = 0; i < decimals; i++) scale *= 10;
            int n = Unsigned(value / scale, buffer);
            if (decimals == 0) return n;
            buffer[n++] = (byte)'.';
            ulong frac = value % scale;
            for (ulong s = scale / 10; s > 0; s /= 10) { buffer[n++] = (byte)('0' + (int)(frac / s)); frac %= s; }
            return n;
        }
    }
}
