using Sticky.Arch;

namespace Sticky.Io
{
    // Random bytes for AT_RANDOM, getrandom(2) and /dev/urandom: a xorshift
    // generator stirred with the time-stamp counter at every call.
    // Unpredictable enough for tests and stack canaries, not for cryptography.
    public static unsafe class Entropy
    {
        private static ulong _state = 0x9E3779B97F4A7C15UL;

        public static ulong Next()
        {
            ulong s = _state ^ Cpu.ReadTimestamp();
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            _state = s;
            return s;
        }

        public static void Fill(byte* into, int count)
        {
            for (int i = 0; i < count; i += 8)
            {
                ulong r = Next();
                for (int j = 0; j < 8 && i + j < count; j++) into[i + j] = (byte)(r >> (8 * j));
            }
        }
    }
}
