using System;
using System.Collections.Generic;
using System.Text;
using Sticky.Fs;
using Xunit;

namespace Sticky.Tests.Fs;

// Writes cpio "newc" archives the way `cpio -H newc -o` does.
internal sealed class CpioWriter
{
    private readonly List<byte> _b = new();
    private uint _ino = 1;

    public CpioWriter File(string name, string data, uint mode = 0x81A4) => Add(name, Encoding.ASCII.GetBytes(data), mode);
    public CpioWriter Dir(string name) => Add(name, Array.Empty<byte>(), 0x41ED);

    public CpioWriter Add(string name, byte[] data, uint mode, string magic = "070701")
    {
        byte[] n = Encoding.ASCII.GetBytes(name + "\0");
        Ascii(magic);
        uint[] f = { _ino++, mode, 0, 0, 1, 0, (uint)data.Length, 0, 0, 0, 0, (uint)n.Length, 0 };
        foreach (uint v in f) Ascii(v.ToString("X8"));
        _b.AddRange(n); Pad();
        _b.AddRange(data); Pad();
        return this;
    }

    public CpioWriter Trailer() => Add("TRAILER!!!", Array.Empty<byte>(), 0);
    public byte[] Build() => _b.ToArray();

    private void Ascii(string s) => _b.AddRange(Encoding.ASCII.GetBytes(s));
    private void Pad() { while (_b.Count % 4 != 0) _b.Add(0); }
}

public unsafe class CpioTests
{
    private static byte[] Sample() => new CpioWriter()
        .Dir(".").Dir("bin").File("bin/init", "hello, world").File("./etc/motd", "hi", 0x8180)
        .Add("bin/sh", Encoding.ASCII.GetBytes("init"), 0xA1FF).Trailer()
        .File("after", "never seen").Build();

    private static bool Find(byte[] a, string path, out CpioEntry e, out string data, int? length = null)
    {
        fixed (byte* p = a)
        {
            bool ok = Cpio.Find(p, (ulong)(length ?? a.Length), path, out e);
            data = ok ? Encoding.ASCII.GetString(e.Data, (int)e.Size) : null;
            return ok;
        }
    }

    [Fact]
    public void Next_WalksEntriesUntilTrailer()
    {
        byte[] a = Sample();
        var names = new List<string>();
        fixed (byte* p = a)
        {
            ulong off = 0;
            CpioError r;
            while ((r = Cpio.Next(p, (ulong)a.Length, ref off, out CpioEntry e)) == CpioError.Ok)
                names.Add(Encoding.ASCII.GetString(e.Name, e.NameLength));
            Assert.Equal(CpioError.End, r);
        }
        Assert.Equal(new[] { ".", "bin", "bin/init", "./etc/motd", "bin/sh" }, names);
    }

    [Theory]
    [InlineData("bin/init")]
    [InlineData("/bin/init")]
    [InlineData("./bin/init")]
    public void Find_FileWithAnyPrefix(string path)
    {
        Assert.True(Find(Sample(), path, out CpioEntry e, out string data));
        Assert.Equal("hello, world", data);
        Assert.True(e.IsRegular);
        Assert.Equal(0x81A4u, e.Mode);
        Assert.Equal(12UL, e.Size);
    }

    [Fact]
    public void Find_ArchiveNameWithDotSlashPrefix()
    {
        Assert.True(Find(Sample(), "/etc/motd", out CpioEntry e, out string data));
        Assert.Equal("hi", data);
        Assert.Equal(0x180u, e.Mode & 0xFFF);
    }

    [Fact]
    public void Find_DirectoriesAndRoot()
    {
        Assert.True(Find(Sample(), "/bin", out CpioEntry e, out _));
        Assert.True(e.IsDirectory);
        Assert.Equal(0UL, e.Size);
        Assert.True(Find(Sample(), "/", out e, out _));
        Assert.True(e.IsDirectory);
        Assert.Equal(1, e.NameLength);   // "."
    }

    [Fact]
    public void Find_Symlink()
    {
        Assert.True(Find(Sample(), "bin/sh", out CpioEntry e, out string target));
        Assert.True(e.IsSymlink);
        Assert.Equal("init", target);
    }

    [Fact]
    public void Find_Missing_AndPastTrailer()
    {
        Assert.False(Find(Sample(), "bin/ini", out _, out _));
        Assert.False(Find(Sample(), "bin/init2", out _, out _));
        Assert.False(Find(Sample(), "after", out _, out _));
        Assert.False(Find(Sample(), "TRAILER!!!", out _, out _));
        Assert.False(Find(Sample(), "../bin/init", out _, out _));
    }

    [Fact]
    public void NoTrailer_EndsAtArchiveEnd()
    {
        byte[] a = new CpioWriter().File("a", "x").Build();
        Assert.True(Find(a, "a", out _, out string d));
        Assert.Equal("x", d);
        fixed (byte* p = a)
        {
            ulong off = 0;
            Assert.Equal(CpioError.Ok, Cpio.Next(p, (ulong)a.Length, ref off, out _));
            Assert.Equal(CpioError.End, Cpio.Next(p, (ulong)a.Length, ref off, out _));
        }
    }

    [Fact]
    public void CrcFormat_IsAccepted() =>
        Assert.True(Find(new CpioWriter().Add("f", new byte[] { 1 }, 0x81A4, "070702").Build(), "f", out _, out _));

    private static CpioError First(byte[] a, int? length = null)
    {
        fixed (byte* p = a)
        {
            ulong off = 0;
            return Cpio.Next(p, (ulong)(length ?? a.Length), ref off, out _);
        }
    }

    [Fact]
    public void BadMagic()
    {
        byte[] a = Sample(); a[5] = (byte)'7';
        Assert.Equal(CpioError.BadMagic, First(a));
        Assert.Equal(CpioError.BadMagic, First(new CpioWriter().Add("f", new byte[1], 0x81A4, "070707").Build()));
        Assert.False(Find(a, "bin/init", out _, out _));
    }

    [Fact]
    public void NonHexDigit()
    {
        byte[] a = Sample(); a[6 + 6 * 8 + 3] = (byte)'g';   // filesize
        Assert.Equal(CpioError.BadHex, First(a));
    }

    [Fact]
    public void SizesPastTheEnd()
    {
        byte[] a = new CpioWriter().File("big", "0123456789").Build();
        Assert.Equal(CpioError.Truncated, First(a, 100));               // header cut
        Assert.Equal(CpioError.Truncated, First(a, 112));               // name cut
        Assert.Equal(CpioError.Truncated, First(a, 120));               // data cut
        byte[] b = (byte[])a.Clone();
        Encoding.ASCII.GetBytes("FFFFFFFF").CopyTo(b, 6 + 6 * 8);         // filesize 4 GiB
        Assert.Equal(CpioError.Truncated, First(b));
        byte[] c = (byte[])a.Clone();
        Encoding.ASCII.GetBytes("FFFFFFFF").CopyTo(c, 6 + 11 * 8);        // namesize 4 GiB
        Assert.Equal(CpioError.Truncated, First(c));
        Assert.False(Find(b, "big", out _, out _));
    }

    [Fact]
    public void BadNames()
    {
        byte[] a = new CpioWriter().File("name", "d").Build();
        byte[] z = (byte[])a.Clone();
        Encoding.ASCII.GetBytes("00000000").CopyTo(z, 6 + 11 * 8);
        Assert.Equal(CpioError.BadName, First(z));
        byte[] u = (byte[])a.Clone();
        u[110 + 4] = (byte)'x';                                           // NUL overwritten
        Assert.Equal(CpioError.BadName, First(u));
    }

    [Fact]
    public void EmptyAndNull()
    {
        Assert.Equal(CpioError.End, First(new byte[1], 0));
        fixed (byte* p = Sample())
        {
            ulong off = 0;
            Assert.Equal(CpioError.End, Cpio.Next(null, 100, ref off, out _));
            Assert.False(Cpio.Find(null, 100, "x", out _));
        }
    }

    [Fact]
    public void RandomCorruption_StaysInBounds()
    {
        byte[] good = Sample();
        var rng = new Random(99);
        for (int round = 0; round < 20000; round++)
        {
            byte[] a = (byte[])good.Clone();
            for (int i = rng.Next(1, 6); i > 0; i--) a[rng.Next(a.Length)] = (byte)"0123456789abcdefFg7\0"[rng.Next(20)];
            int len = rng.Next(4) == 0 ? rng.Next(a.Length) : a.Length;
            fixed (byte* p = a)
            {
                ulong off = 0;
                int steps = 0;
                while (Cpio.Next(p, (ulong)len, ref off, out CpioEntry e) == CpioError.Ok)
                {
                    Assert.True(e.Data >= p && e.Data + e.Size <= p + len);
                    Assert.True(e.Name >= p && e.Name + e.NameLength < p + len);
                    Assert.True(off <= (ulong)len);
                    Assert.True(++steps < 100);
                }
            }
        }
    }
}
