using Sticky.Mm;

namespace Sticky.Exec
{
    // argv and envp of a program being started, copied into the kernel before
    // the old address space goes away: NUL-terminated strings packed back to back.
    // Sized to what the caller measured, so a small exec allocates little (a
    // large kernel allocation needs contiguous frames).
    public sealed unsafe class ArgBlock
    {
        public const int MaxBytes = 128 * 1024;   // Linux's ARG_MAX floor; more is E2BIG
        public const int MaxStrings = 4096;

        public readonly byte[] Bytes;
        public int Used, ArgCount, EnvCount;
        public int Capacity => Bytes.Length;

        // The argv strings' bytes with their NULs (they come first).
        public int ArgBytes
        {
            get
            {
                int at = 0;
                for (int n = 0; n < ArgCount; n++)
                {
                    while (Bytes[at] != 0) at++;
                    at++;
                }
                return at;
            }
        }

        // `capacity`: the total of the strings' lengths plus their NULs (at most MaxBytes).
        public ArgBlock(int capacity) { Bytes = new byte[capacity > 0 ? capacity : 1]; }

        // Appends one string (argv entries first, then environment). False when full.
        public bool Add(byte* s, int length, bool isEnvironment)
        {
            if (length < 0 || Used + length + 1 > Capacity || ArgCount + EnvCount >= MaxStrings) return false;
            for (int i = 0; i < length; i++) Bytes[Used + i] = s[i];
            Bytes[Used + length] = 0;
            Used += length + 1;
            if (isEnvironment) EnvCount++; else ArgCount++;
            return true;
        }

        public bool Add(string s, bool isEnvironment)
        {
            if (Used + s.Length + 1 > Capacity) return false;
            for (int i = 0; i < s.Length; i++) Bytes[Used + i] = (byte)s[i];
            Bytes[Used + s.Length] = 0;
            Used += s.Length + 1;
            if (isEnvironment) EnvCount++; else ArgCount++;
            return true;
        }

        public void Release()
        {
            ObjectRelease.Release(Bytes);
            ObjectRelease.Release(this);
        }
    }
}
