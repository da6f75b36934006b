using Sticky.Futex;
using Sticky.Platform;
using Xunit;

namespace Sticky.Tests.Futex;

public class FutexDesignTests
{
    private static (bool ok, FutexDesign design) FromLine(string line)
    {
        var c = CommandLine.FromString(line);
        bool ok = FutexDesigns.FromCommandLine(ref c, out FutexDesign d);
        return (ok, d);
    }

    [Theory]
    [InlineData("futex=sticky", FutexDesign.Sticky)]
    [InlineData("futex=nosticky", FutexDesign.NoSticky)]
    [InlineData("run=a,b futex=virtkey log=x", FutexDesign.VirtKey)]
    public void KnownValues_Parse(string line, FutexDesign expected)
    {
        Assert.Equal((true, expected), FromLine(line));
    }

    [Fact]
    public void Absent_DefaultsToSticky()
    {
        Assert.Equal((true, FutexDesign.Sticky), FromLine("run=hello"));
        Assert.Equal(FutexDesign.Sticky, default(FutexDesign));
    }

    [Theory]
    [InlineData("futex=Sticky")]
    [InlineData("futex=stick")]
    [InlineData("futex=")]
    [InlineData("futex")]
    [InlineData("futex=virtkeys")]
    public void UnknownValue_IsAnError(string line)
    {
        Assert.False(FromLine(line).ok);
    }

    [Fact]
    public void Names_RoundTrip()
    {
        foreach (FutexDesign d in new[] { FutexDesign.Sticky, FutexDesign.NoSticky, FutexDesign.VirtKey })
            Assert.Equal((true, d), FromLine("futex=" + FutexDesigns.Name(d)));
    }
}
