using System.Collections.Generic;
using System.IO;
using System.Text;
using Sticky.Lib;
using Xunit;

namespace Sticky.Tests.Lib;

// The blob is written by tools/mksyms; these tests build one the same way.
public unsafe class SymbolTableTests
{
    private static byte[] Blob(params (ulong addr, uint size, string name)[] syms)
    {
        var names = new MemoryStream();
        var table = new BinaryWriter(new MemoryStream());
        table.Write(SymbolTable.Magic);
        table.Write(syms.Length);
        int header = 8 + 16 * syms.Length;
        foreach (var (addr, size, name) in syms)
        {
            table.Write(addr); table.Write(size); table.Write((uint)(header + names.Length));
            names.Write(Encoding.ASCII.GetBytes(name + "\0"));
        }
        var all = new List<byte>(((MemoryStream)table.BaseStream).ToArray());
        all.AddRange(names.ToArray());
        return all.ToArray();
    }

    private static string Lookup(byte[] blob, ulong addr, out ulong offset)
    {
        fixed (byte* b = blob)
        {
            offset = 0;
            return SymbolTable.TryLookup(b, (ulong)blob.Length, addr, out byte* name, out offset)
                ? new string((sbyte*)name) : null;
        }
    }

    [Fact]
    public void FindsEnclosingSymbolAndOffset()
    {
        var blob = Blob((0x1000, 0x20, "A::f"), (0x1020, 0x40, "B::g"));
        Assert.Equal("B::g", Lookup(blob, 0x1030, out ulong off));
        Assert.Equal(0x10UL, off);
    }

    [Fact]
    public void AddressPastSymbolEndIsUnknown()
    {
        var blob = Blob((0x1000, 0x20, "A::f"));
        Assert.Null(Lookup(blob, 0x1020, out _));
    }

    [Fact]
    public void AddressBeforeFirstSymbolIsUnknown()
    {
        var blob = Blob((0x1000, 0x20, "A::f"));
        Assert.Null(Lookup(blob, 0xfff, out _));
    }

    [Fact]
    public void RejectsBlobWithoutMagic()
    {
        var blob = Blob((0x1000, 0x20, "A::f"));
        blob[0] = 0;
        Assert.Null(Lookup(blob, 0x1000, out _));
    }
}
