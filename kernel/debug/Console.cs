using Sticky.Arch;
using Sticky.Drivers;
using Sticky.Lib;

namespace Sticky.Debug
{
    // The kernel's own output (banner, log, faults, monitor, panics), byte by
    // byte and unlocked: output from two threads can interleave. Line-level
    // locking comes with the leveled kernel log; the panic path must never
    // wait for a lock anyway. It goes to the terminal's serial port (COM1),
    // or with `console=ttyS1` on the command line to a port of its own (COM2),
    // so programs' output can be captured apart from it.
    public static unsafe class Console
    {
        private static ushort _port = Serial.Com1;

        // Called once the command line is known, before the banner.
        public static void Init(Sticky.Platform.CommandLine* commandLine)
        {
            if (!commandLine->ValueIs("console", "ttyS1")) return;
            Serial.Init(Serial.Com2);
            _port = Serial.Com2;
        }

        public static void Write(string s)
        {
            if ((object)s == null) { Write("(null)"); return; }
            for (int i = 0; i < s.Length; i++) Put((byte)s[i]);
        }

        public static void WriteLine(string s) { Write(s); Put((byte)'\n'); }
        public static void WriteLine() => Put((byte)'\n');

        public static void Put(byte b)
        {
            if (b == (byte)'\n') Serial.WriteByte(_port, (byte)'\r');
            Serial.WriteByte(_port, b);
        }

        public static void WriteBytes(byte* p, int n) { for (int i = 0; i < n; i++) Put(p[i]); }

        public static void Hex(ulong v, int digits = 16)
        {
            byte* b = stackalloc byte[16];
            WriteBytes(b, Format.Hex(v, digits, b));
        }

        public static void Address(ulong v) { Write("0x"); Hex(v, 16); }

        public static void Dec(long v)
        {
            byte* b = stackalloc byte[21];
            WriteBytes(b, Format.Decimal(v, b));
        }

        public static void Fixed(ulong v, int decimals)
        {
            byte* b = stackalloc byte[32];
            WriteBytes(b, Format.Fixed(v, decimals, b));
        }

        // Writes a NUL-terminated byte string (boot-protocol strings, ELF names).
        public static void CString(byte* s, int max = 4096)
        {
            for (int i = 0; i < max && s[i] != 0; i++) Put(s[i]);
        }
    }
}
