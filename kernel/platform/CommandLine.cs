namespace Sticky.Platform
{
    // The kernel command line: space-separated `key=value` or bare `key` words,
    // e.g. "test=fault_page_fault futex=sticky log=futex:debug".
    public unsafe struct CommandLine
    {
        public const int Capacity = 1024;
        private fixed byte _text[Capacity];
        public int Length;

        public static CommandLine From(byte* text, int max)
        {
            CommandLine c = default;
            while (c.Length < Capacity - 1 && c.Length < max && text[c.Length] != 0)
            {
                c._text[c.Length] = text[c.Length];
                c.Length++;
            }
            return c;
        }

        public static CommandLine FromString(string s)
        {
            CommandLine c = default;
            for (int i = 0; i < s.Length && i < Capacity - 1; i++) c._text[c.Length++] = (byte)s[i];
            return c;
        }

        public byte* Text { get { fixed (byte* t = _text) return t; } }

        // Finds `key` (as `key` or `key=...`); value points into this struct.
        public bool TryGet(string key, out byte* value, out int valueLength)
        {
            value = null; valueLength = 0;
            byte* t = Text;
            int i = 0;
            while (i < Length)
            {
                while (i < Length && t[i] == (byte)' ') i++;
                int start = i;
                while (i < Length && t[i] != (byte)' ' && t[i] != (byte)'=') i++;
                bool match = Matches(t + start, i - start, key);
                int valueStart = i, valueEnd = i;
                if (i < Length && t[i] == (byte)'=')
                {
                    valueStart = ++i;
                    while (i < Length && t[i] != (byte)' ') i++;
                    valueEnd = i;
                }
                if (match && i > start)
                {
                    value = t + valueStart;
                    valueLength = valueEnd - valueStart;
                    return true;
                }
            }
            return false;
        }

        public bool Has(string key) => TryGet(key, out _, out _);

        // True if `key` is present with exactly `expected` as its value.
        public bool ValueIs(string key, string expected) =>
            TryGet(key, out byte* v, out int n) && Matches(v, n, expected);

        public static bool Matches(byte* text, int length, string s)
        {
            if (length != s.Length) return false;
            for (int i = 0; i < length; i++) if (text[i] != (byte)s[i]) return false;
            return true;
        }
    }
}
