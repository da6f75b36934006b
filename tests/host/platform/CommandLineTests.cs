using Sticky.Platform;
using Xunit;

namespace Sticky.Tests.Platform;

public unsafe class CommandLineTests
{
    private static string Value(CommandLine c, string key)
    {
        if (!c.TryGet(key, out byte* v, out int n)) return null;
        return new string((sbyte*)v, 0, n);
    }

    [Fact]
    public void FindsKeyValueAndBareWords()
    {
        var c = CommandLine.FromString("test=fault_page_fault  quiet futex=nosticky");
        Assert.Equal("fault_page_fault", Value(c, "test"));
        Assert.Equal("", Value(c, "quiet"));
        Assert.Equal("nosticky", Value(c, "futex"));
        Assert.Null(Value(c, "fut"));          // prefix of a key is not the key
        Assert.Null(Value(c, "missing"));
    }

    [Fact]
    public void ValueIs_ComparesWholeValue()
    {
        var c = CommandLine.FromString("futex=sticky");
        Assert.True(c.ValueIs("futex", "sticky"));
        Assert.False(c.ValueIs("futex", "stick"));
        Assert.False(c.ValueIs("futex", "nosticky"));
    }

    [Fact]
    public void EmptyCommandLineHasNothing()
    {
        var c = CommandLine.FromString("");
        Assert.False(c.Has("test"));
    }

    [Fact]
    public void From_StopsAtNulAndCapacity()
    {
        byte[] text = new byte[CommandLine.Capacity + 100];
        for (int i = 0; i < text.Length; i++) text[i] = (byte)'a';
        fixed (byte* t = text)
        {
            Assert.Equal(CommandLine.Capacity - 1, CommandLine.From(t, text.Length).Length);
            t[3] = 0;
            Assert.Equal(3, CommandLine.From(t, text.Length).Length);
        }
    }
}
