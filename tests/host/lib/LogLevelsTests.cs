using System.Text;
using Sticky.Lib;
using Xunit;

namespace Sticky.Tests.Lib;

public unsafe class LogLevelsTests
{
    private const int N = (int)Subsystem.Count;

    // Applies `spec` to a table that starts at the default; returns the table,
    // whether every item was understood, and the first bad item.
    private static (Level[] levels, bool ok, string bad) Apply(string spec)
    {
        byte[] text = Encoding.ASCII.GetBytes(spec);
        byte* table = stackalloc byte[N];
        LogLevels.SetAll(table, LogLevels.Default);
        bool ok;
        int bad, badLength;
        fixed (byte* t = text) ok = LogLevels.Apply(t, text.Length, table, out bad, out badLength);
        var levels = new Level[N];
        for (int i = 0; i < N; i++) levels[i] = (Level)table[i];
        return (levels, ok, Encoding.ASCII.GetString(text, bad, badLength));
    }

    private static Level At(Level[] levels, Subsystem s) => levels[(int)s];

    [Fact]
    public void BareLevelSetsEverySubsystem()
    {
        var (levels, ok, _) = Apply("debug");
        Assert.True(ok);
        Assert.All(levels, l => Assert.Equal(Level.Debug, l));
    }

    [Fact]
    public void SubsystemItemsChangeOnlyThatSubsystem()
    {
        var (levels, ok, _) = Apply("futex:trace,mm:debug");
        Assert.True(ok);
        Assert.Equal(Level.Trace, At(levels, Subsystem.Futex));
        Assert.Equal(Level.Debug, At(levels, Subsystem.Mm));
        Assert.Equal(LogLevels.Default, At(levels, Subsystem.Sched));
    }

    [Fact]
    public void ItemsApplyLeftToRight()
    {
        var (levels, ok, _) = Apply("futex:trace,warn");
        Assert.True(ok);
        Assert.Equal(Level.Warn, At(levels, Subsystem.Futex));
        (levels, ok, _) = Apply("off,all:error,syscall:trace");
        Assert.True(ok);
        Assert.Equal(Level.Error, At(levels, Subsystem.Boot));
        Assert.Equal(Level.Trace, At(levels, Subsystem.Syscall));
    }

    [Fact]
    public void BadItemsAreReportedAndTheRestStillApplies()
    {
        var (levels, ok, bad) = Apply("mm:loud,futex:debug,nosuch:info");
        Assert.False(ok);
        Assert.Equal("mm:loud", bad);
        Assert.Equal(LogLevels.Default, At(levels, Subsystem.Mm));
        Assert.Equal(Level.Debug, At(levels, Subsystem.Futex));
        Assert.False(Apply("nosuch:info").ok);
        Assert.False(Apply("Info").ok);          // names are lower case
        Assert.False(Apply("mm:").ok);
        Assert.False(Apply(":debug").ok);
    }

    [Fact]
    public void EmptyItemsAreIgnored()
    {
        var (levels, ok, _) = Apply(",,mm:trace,");
        Assert.True(ok);
        Assert.Equal(Level.Trace, At(levels, Subsystem.Mm));
        Assert.True(Apply("").ok);
    }

    [Fact]
    public void EverySubsystemAndLevelNameParsesBack()
    {
        for (Subsystem s = 0; s < Subsystem.Count; s++)
        {
            byte[] name = Encoding.ASCII.GetBytes(LogLevels.Name(s));
            fixed (byte* p = name) { Assert.True(LogLevels.TryParseSubsystem(p, name.Length, out Subsystem back)); Assert.Equal(s, back); }
        }
        for (Level l = Level.Off; l <= Level.Trace; l++)
        {
            byte[] name = Encoding.ASCII.GetBytes(LogLevels.Name(l));
            fixed (byte* p = name) { Assert.True(LogLevels.TryParseLevel(p, name.Length, out Level back)); Assert.Equal(l, back); }
        }
    }

    private static string Prefix(ulong ns, Subsystem s, Level l)
    {
        byte* b = stackalloc byte[LogLevels.PrefixCapacity];
        int n = LogLevels.FormatPrefix(ns, s, l, b);
        Assert.InRange(n, 1, LogLevels.PrefixCapacity);
        return new string((sbyte*)b, 0, n);
    }

    [Fact]
    public void PrefixHasLinuxStyleTimestampAndSubsystem()
    {
        Assert.Equal("[   12.345678] futex: ", Prefix(12_345_678_901, Subsystem.Futex, Level.Debug));
        Assert.Equal("[    0.000001] mm: error: ", Prefix(1_999, Subsystem.Mm, Level.Error));
        Assert.Equal("[    0.000000] boot: warn: ", Prefix(0, Subsystem.Boot, Level.Warn));
        Assert.Equal("[123456.000000] sched: ", Prefix(123_456_000_000_000, Subsystem.Sched, Level.Info));
    }

    [Fact]
    public void PrefixFitsForTheLongestInputs()
    {
        Prefix(ulong.MaxValue, Subsystem.Syscall, Level.Error);
    }
}
