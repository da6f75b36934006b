using Sticky.Arch;
using Sticky.Lib;
using Sticky.Platform;
using Sticky.Sync;

namespace Sticky.Debug
{
    // The leveled kernel log: one threshold per subsystem, set by `log=` on
    // the kernel command line (syntax: LogLevels.Apply, docs/debugging.md).
    // Nothing allocates; a disabled message costs one table lookup:
    //
    //   Log.Info(Subsystem.Exec, "loaded /init");
    //   if (Log.On(Subsystem.Futex, Level.Debug))
    //   {
    //       Log.Begin(Subsystem.Futex, Level.Debug);
    //       Console.Write("wait");
    //       Log.Hex("uaddr", address);
    //       Log.Value("tid", tid);
    //       Log.End();
    //   }
    //
    // Begin..End holds the console lock with interrupts off, so lines from two
    // threads or CPUs never interleave; between them, write with Console and
    // the helpers below only, and do not block.
    public static unsafe class Log
    {
        private struct Table { public fixed byte Stored[(int)Subsystem.Count]; }

        // Stored as threshold XOR default, so the zeroed table means "default"
        // from the first instruction, before Init has read the command line.
        private static Table _table;
        private static ulong _flags;      // the outermost Begin's, restored by its End

        public static bool On(Subsystem s, Level level)
        {
            fixed (byte* t = _table.Stored) return (byte)level <= (byte)(t[(int)s] ^ (byte)LogLevels.Default);
        }

        public static Level Threshold(Subsystem s)
        {
            fixed (byte* t = _table.Stored) return (Level)(t[(int)s] ^ (byte)LogLevels.Default);
        }

        // Reads `log=` from the kernel command line; call once, early in boot.
        public static void Init(CommandLine* commandLine)
        {
            if (!commandLine->TryGet("log", out byte* spec, out int length)) return;
            byte* levels = stackalloc byte[(int)Subsystem.Count];
            LogLevels.SetAll(levels, LogLevels.Default);
            bool ok = LogLevels.Apply(spec, length, levels, out int bad, out int badLength);
            fixed (byte* t = _table.Stored)
                for (int i = 0; i < (int)Subsystem.Count; i++) t[i] = (byte)(levels[i] ^ (byte)LogLevels.Default);
            if (!ok && On(Subsystem.Boot, Level.Warn))
            {
                Begin(Subsystem.Boot, Level.Warn);
                Console.Write("log=: ignored '");
                Console.WriteBytes(spec + bad, badLength);
                Console.Write("' (expected LEVEL or SUBSYSTEM:LEVEL; levels off error warn info debug trace)");
                End();
            }
        }

        public static void Begin(Subsystem s, Level level)
        {
            ulong flags = Console.Lock();
            if (Console.Depth > 0) Console.WriteLine();   // a line inside a line: start a fresh one
            else _flags = flags;
            byte* prefix = stackalloc byte[LogLevels.PrefixCapacity];
            Console.WriteBytes(prefix, LogLevels.FormatPrefix(Sticky.Time.Clock.NowNanoseconds, s, level, prefix));
        }

        public static void End()
        {
            Console.WriteLine();
            // An inner End restores "interrupts off" (its Begin found them so), the outermost what it found.
            Console.Unlock(Console.Depth > 0 ? 0 : _flags);
        }

        // " name=value" inside a line.
        public static void Value(string name, long value)
        {
            Console.Write(" ");
            Console.Write(name);
            Console.Write("=");
            Console.Dec(value);
        }

        // " name=0x..." inside a line.
        public static void Hex(string name, ulong value)
        {
            Console.Write(" ");
            Console.Write(name);
            Console.Write("=0x");
            Console.Hex(value, 1);
        }

        public static void Write(Subsystem s, Level level, string message)
        {
            if (!On(s, level)) return;
            Begin(s, level);
            Console.Write(message);
            End();
        }

        public static void Error(Subsystem s, string message) => Write(s, Level.Error, message);
        public static void Warn(Subsystem s, string message) => Write(s, Level.Warn, message);
        public static void Info(Subsystem s, string message) => Write(s, Level.Info, message);
        public static void Debug(Subsystem s, string message) => Write(s, Level.Debug, message);
        public static void Trace(Subsystem s, string message) => Write(s, Level.Trace, message);

        // One line "message name=value" (the common case of a single number).
        public static void Write(Subsystem s, Level level, string message, string name, long value)
        {
            if (!On(s, level)) return;
            Begin(s, level);
            Console.Write(message);
            Value(name, value);
            End();
        }
    }
}
