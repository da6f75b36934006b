using Sticky;
using Sticky.Net;
using Xunit;

namespace Sticky.Tests.Net;

// Binding ports on loopback: overlaps, ephemeral ports, who receives.
public unsafe class PortTableTests
{
    private static InetAddress At(uint address, ushort port) => new InetAddress(address, port);

    [Fact]
    public void Sockaddr_RoundTrips_InNetworkOrder_AndChecksFamilyAndLength()
    {
        byte* s = stackalloc byte[16];
        At(InetAddress.Loopback, 8080).Write(s);
        Assert.Equal(new byte[] { 2, 0, 0x1F, 0x90, 127, 0, 0, 1 }, new System.ReadOnlySpan<byte>(s, 8).ToArray());
        Assert.Equal(0, InetAddress.Parse(s, 16, false, out InetAddress a, out int family));
        Assert.Equal(InetAddress.AF_INET, family);
        Assert.True(a.Equals(At(InetAddress.Loopback, 8080)));
        Assert.Equal(-Errno.EINVAL, InetAddress.Parse(s, 15, false, out _, out _));
        s[0] = 10;   // AF_INET6
        Assert.Equal(-Errno.EAFNOSUPPORT, InetAddress.Parse(s, 16, false, out _, out _));
        s[0] = 0;    // AF_UNSPEC: connect's "disconnect", when allowed
        Assert.Equal(0, InetAddress.Parse(s, 2, true, out _, out family));
        Assert.Equal(InetAddress.AF_UNSPEC, family);
        Assert.Equal(-Errno.EAFNOSUPPORT, InetAddress.Parse(s, 16, false, out _, out _));
    }

    [Fact]
    public void OnlyLoopbackAndAny_AreThisMachine()
    {
        Assert.True(At(InetAddress.Loopback, 1).IsLocal);
        Assert.True(At(0x7F000002, 1).IsLocal);
        Assert.True(At(InetAddress.Any, 1).IsLocal);
        Assert.False(At(0xC0000201, 1).IsLocal);   // 192.0.2.1
        Assert.True(At(InetAddress.Any, 7).Destination.Equals(At(InetAddress.Loopback, 7)));
    }

    [Fact]
    public void OverlappingBindings_AreEADDRINUSE_OthersCoexist()
    {
        var t = new PortTable();
        object a = new object(), b = new object(), c = new object();
        var loop = At(InetAddress.Loopback, 5000);
        Assert.Equal(0, t.Bind(ref loop, a));
        var any = At(InetAddress.Any, 5000);
        Assert.Equal(-Errno.EADDRINUSE, t.Bind(ref any, b));         // any overlaps 127.0.0.1
        var same = At(InetAddress.Loopback, 5000);
        Assert.Equal(-Errno.EADDRINUSE, t.Bind(ref same, b));
        var other = At(0x7F000002, 5000);
        Assert.Equal(0, t.Bind(ref other, b));                         // another loopback address
        var port = At(InetAddress.Any, 5001);
        Assert.Equal(0, t.Bind(ref port, c));
        t.Unbind(a);
        Assert.Equal(-Errno.EADDRINUSE, t.Bind(ref any, a));           // 127.0.0.2 still holds 5000
        t.Unbind(b);
        Assert.Equal(0, t.Bind(ref any, a));
    }

    [Fact]
    public void PortZero_GetsTheNextFreeEphemeralPort()
    {
        var t = new PortTable();
        var taken = At(InetAddress.Any, PortTable.EphemeralFirst);
        Assert.Equal(0, t.Bind(ref taken, new object()));
        var first = At(InetAddress.Loopback, 0);
        Assert.Equal(0, t.Bind(ref first, new object()));
        Assert.Equal(PortTable.EphemeralFirst + 1, first.Port);
        var second = At(InetAddress.Loopback, 0);
        Assert.Equal(0, t.Bind(ref second, new object()));
        Assert.Equal(PortTable.EphemeralFirst + 2, second.Port);
        Assert.Equal(3, t.Count);
    }

    [Fact]
    public void EphemeralPorts_RunOut_WithEAGAIN()
    {
        var t = new PortTable();
        for (int i = PortTable.EphemeralFirst; i <= PortTable.EphemeralLast; i++)
        {
            var at = At(InetAddress.Any, 0);
            Assert.Equal(0, t.Bind(ref at, new object()));
        }
        var more = At(InetAddress.Any, 0);
        Assert.Equal(-Errno.EAGAIN, t.Bind(ref more, new object()));
    }

    [Fact]
    public void Find_PrefersTheExactAddress_AndIgnoresOtherPorts()
    {
        var t = new PortTable();
        object exact = new object(), any = new object();
        var a = At(0x7F000002, 6000);
        var b = At(InetAddress.Any, 6001);
        t.Bind(ref a, exact);
        t.Bind(ref b, any);
        Assert.Same(exact, t.Find(At(0x7F000002, 6000)));
        Assert.Null(t.Find(At(InetAddress.Loopback, 6000)));    // bound to 127.0.0.2 only
        Assert.Same(any, t.Find(At(InetAddress.Loopback, 6001)));
        Assert.Same(any, t.Find(At(0x7F000005, 6001)));
        Assert.Null(t.Find(At(InetAddress.Loopback, 6002)));
    }
}
