namespace Sticky.Lib
{
    // Kernel log subsystems and levels (kernel/debug/Log.cs), the `log=`
    // command-line syntax, and the line prefix: the pure part, shared with host tests.
    public enum Subsystem { Boot, Mm, Sched, Proc, Syscall, Futex, Exec, Io, Fs, Time, Count }

    // A message is shown when its level is at or below its subsystem's threshold.
    public enum Level : byte { Off, Error, Warn, Info, Debug, Trace }

    public static unsafe class LogLevels
    {
        public const Level Default = Level.Info;
        public const int PrefixCapacity = 40;   // "[" + 5+ digits "." 6 digits "] " + name ": " + "error: "

        public static string Name(Subsystem s)
        {
            switch (s)
            {
                case Subsystem.Boot: return "boot";
                case Subsystem.Mm: return "mm";
                case Subsystem.Sched: return "sched";
                case Subsystem.Proc: return "proc";
                case Subsystem.Syscall: return "syscall";
                case Subsystem.Futex: return "futex";
                case Subsystem.Exec: return "exec";
                case Subsystem.Io: return "io";
                case Subsystem.Fs: return "fs";
                case Subsystem.Time: return "time";
                default: return "?";
            }
        }

        public static string Name(Level l)
        {
            switch (l)
            {
                case Level.Off: return "off";
                case Level.Error: return "error";
                case Level.Warn: return "warn";
                case Level.Info: return "info";
                case Level.Debug: return "debug";
                case Level.Trace: return "trace";
                default: return "?";
            }
        }

        // Applies a `log=` value to `thresholds` (one byte per Subsystem): a
        // comma-separated list of `LEVEL` (every subsystem; `all:LEVEL` too) and
        // `SUBSYSTEM:LEVEL`, applied left to right, e.g. "warn,futex:trace,mm:debug".
        // Every valid item is applied; returns false if some item was not
        // understood, with the first such item in bad/badLength.
        public static bool Apply(byte* spec, int length, byte* thresholds, out int bad, out int badLength)
        {
            bad = 0; badLength = 0;
            bool ok = true;
            int start = 0;
            for (int i = 0; i <= length; i++)
            {
                if (i < length && spec[i] != (byte)',') continue;
                if (i > start && !ApplyItem(spec + start, i - start, thresholds) && ok)
                {
                    ok = false;
                    bad = start;
                    badLength = i - start;
                }
                start = i + 1;
            }
            return ok;
        }

        private static bool ApplyItem(byte* item, int length, byte* thresholds)
        {
            int colon = 0;
            while (colon < length && item[colon] != (byte)':') colon++;
            if (colon == length)
            {
                if (!TryParseLevel(item, length, out Level all)) return false;
                SetAll(thresholds, all);
                return true;
            }
            if (!TryParseLevel(item + colon + 1, length - colon - 1, out Level level)) return false;
            if (colon == 3 && Same(item, colon, "all")) { SetAll(thresholds, level); return true; }
            if (!TryParseSubsystem(item, colon, out Subsystem s)) return false;
            thresholds[(int)s] = (byte)level;
            return true;
        }

        public static void SetAll(byte* thresholds, Level level)
        {
            for (int i = 0; i < (int)Subsystem.Count; i++) thresholds[i] = (byte)level;
        }

        public static bool TryParseLevel(byte* text, int length, out Level level)
        {
            for (level = Level.Off; level <= Level.Trace; level++)
                if (Same(text, length, Name(level))) return true;
            level = Level.Off;
            return false;
        }

        public static bool TryParseSubsystem(byte* text, int length, out Subsystem s)
        {
            for (s = 0; s < Subsystem.Count; s++)
                if (Same(text, length, Name(s))) return true;
            s = Subsystem.Count;
            return false;
        }

        // "[   12.345678] futex: " (and "error: " / "warn: " after it for those
        // levels), as Linux's printk time stamps: seconds since boot, microseconds.
        // `buffer` holds PrefixCapacity bytes; returns the length.
        public static int FormatPrefix(ulong nanoseconds, Subsystem s, Level level, byte* buffer)
        {
            ulong micros = nanoseconds / 1000;
            byte* digits = stackalloc byte[20];
            int n = Format.Unsigned(micros / 1000000, digits);
            int at = 0;
            buffer[at++] = (byte)'[';
            for (int pad = n; pad < 5; pad++) buffer[at++] = (byte)' ';
            for (int i = 0; i < n; i++) buffer[at++] = digits[i];
            buffer[at++] = (byte)'.';
            ulong frac = micros % 1000000;
            for (ulong d = 100000; d > 0; d /= 10) { buffer[at++] = (byte)('0' + (int)(frac / d)); frac %= d; }
            at = Append(buffer, at, "] ");
            at = Append(buffer, at, Name(s));
            at = Append(buffer, at, ": ");
            if (level == Level.Error || level == Level.Warn)
            {
                at = Append(buffer, at, Name(level));
                at = Append(buffer, at, ": ");
            }
            return at;
        }

        private static int Append(byte* buffer, int at, string s)
        {
            for (int i = 0; i < s.Length; i++) buffer[at++] = (byte)s[i];
            return at;
        }

        private static bool Same(byte* text, int length, string s)
        {
            if (length != s.Length) return false;
            for (int i = 0; i < length; i++) if (text[i] != (byte)s[i]) return false;
            return true;
        }
    }
}
