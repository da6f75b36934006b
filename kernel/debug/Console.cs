using Sticky.Arch;
using Sticky.Drivers;
using Sticky.Lib;
using Sticky.Sync;

namespace Sticky.Debug
{
    // The kernel's own output (banner, log, faults, monitor, panics), byte by
    // byte. It goes to the terminal's serial port (COM1), or with
    // `console=ttyS1` on the command line to a port of its own (COM2), so
    // programs' output can be captured apart from it.
    //
    // Each Write call's text is one piece; whoever writes something longer that
    // must not be cut by another CPU's output (a log line, a fault report)
    // holds the console lock around it: Lock..Unlock, interrupts off, nestable
    // on one CPU. Nothing inside it may wait for another lock (but the frame
    // and heap locks, for what formatting allocates). The panic path takes it
    // over without waiting (Seize).
    public static unsafe class Console
    {
        private static ushort _port = Serial.Com1;
        private static SpinLock _lock;
        private static ulong _owner;      // PerCpu of the CPU holding it; 0 = none
        private static int _depth;        // nested Lock calls on that CPU

        // Called once the command line is known, before the banner.
        public static void Init(Sticky.Platform.CommandLine* commandLine)
        {
            if (!commandLine->ValueIs("console", "ttyS1")) return;
            Serial.Init(Serial.Com2);
            _port = Serial.Com2;
        }

        // Returns the interrupt flags Unlock restores.
        public static ulong Lock()
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();
            if (Cpus.Count == 0) return flags;   // before the CPU table exists: one CPU, nothing to exclude
            ulong self = (ulong)Cpus.Current;
            if (_owner == self) { _depth++; return flags; }
            _lock.Acquire();
            _owner = self;
            return flags;
        }

        public static void Unlock(ulong flags)
        {
            if (Cpus.Count != 0)
            {
                if (_depth > 0) _depth--;
                else { _owner = 0; _lock.Release(); }
            }
            Cpu.RestoreInterrupts(flags);
        }

        // Inside Lock..Unlock: how many Locks enclose the current one on this CPU.
        public static int Depth => _depth;

        // The panic path, after every other CPU has stopped (one may have stopped
        // holding the lock): takes it for this CPU without waiting.
        public static void Seize()
        {
            _owner = Cpus.Count == 0 ? 0 : (ulong)Cpus.Current;
            _depth = 0;
        }

        // Each call's text stays in one piece (a line built from several calls
        // needs Lock around them all).
        public static void Write(string s)
        {
            if ((object)s == null) { Write("(null)"); return; }
            ulong flags = Lock();
            for (int i = 0; i < s.Length; i++) Put((byte)s[i]);
            Unlock(flags);
        }

        public static void WriteLine(string s)
        {
            ulong flags = Lock();
            Write(s);
            Put((byte)'\n');
            Unlock(flags);
        }
        public static void WriteLine() => Put((byte)'\n');

        public static void Put(byte b)
        {
            if (b == (byte)'\n') Serial.WriteByte(_port, (byte)'\r');
            Serial.WriteByte(_port, b);
        }

        public static void WriteBytes(byte* p, int n)
        {
            ulong flags = Lock();
            for (int i = 0; i < n; i++) Put(p[i]);
            Unlock(flags);
        }

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
