using System;
using Sticky.Platform;
using Xunit;

namespace Sticky.Tests.Platform;

// Hand-built ACPI tables in a byte array standing in for physical memory:
// RSDP at 0x100, XSDT/RSDT at 0x200, MADT at 0x400.
public unsafe class AcpiTests
{
    private static void Put8(byte[] m, int at, byte v) => m[at] = v;
    private static void Put32(byte[] m, int at, uint v) => BitConverter.TryWriteBytes(new Span<byte>(m, at, 4), v);
    private static void Put64(byte[] m, int at, ulong v) => BitConverter.TryWriteBytes(new Span<byte>(m, at, 8), v);
    private static void PutText(byte[] m, int at, string s) { for (int i = 0; i < s.Length; i++) m[at + i] = (byte)s[i]; }

    // Sets the byte at `checksumAt` so the `length` bytes from `start` sum to zero.
    private static void Checksum(byte[] m, int start, int length, int checksumAt)
    {
        m[checksumAt] = 0;
        byte sum = 0;
        for (int i = 0; i < length; i++) sum += m[start + i];
        m[checksumAt] = (byte)(0 - sum);
    }

    private static int Header(byte[] m, int at, string signature, int length)
    {
        PutText(m, at, signature);
        Put32(m, at + 4, (uint)length);
        Put8(m, at + 8, 1);
        PutText(m, at + 10, "STICKY");
        return at + 36;
    }

    // entries: (type, bytes) appended after the MADT's fixed part.
    private static byte[] Machine(bool xsdt, params byte[][] entries)
    {
        var m = new byte[0x1000];
        PutText(m, 0x100, "RSD PTR ");
        Put8(m, 0x100 + 15, (byte)(xsdt ? 2 : 0));
        if (xsdt) { Put32(m, 0x100 + 20, 36); Put64(m, 0x100 + 24, 0x200); }
        else Put32(m, 0x100 + 16, 0x200);
        Checksum(m, 0x100, 20, 0x100 + 8);
        if (xsdt) Checksum(m, 0x100, 36, 0x100 + 32);   // the extended checksum covers the first one

        // A root table listing an unrelated table first, then the MADT.
        int entrySize = xsdt ? 8 : 4;
        int rootLength = 36 + 2 * entrySize;
        int e = Header(m, 0x200, xsdt ? "XSDT" : "RSDT", rootLength);
        if (xsdt) { Put64(m, e, 0x300); Put64(m, e + 8, 0x400); } else { Put32(m, e, 0x300); Put32(m, e + 4, 0x400); }
        Checksum(m, 0x200, rootLength, 0x200 + 9);
        Header(m, 0x300, "FACP", 36);
        Checksum(m, 0x300, 36, 0x300 + 9);

        int at = 0x400 + 44;
        foreach (var entry in entries) { Array.Copy(entry, 0, m, at, entry.Length); at += entry.Length; }
        int madtLength = at - 0x400;
        Header(m, 0x400, "APIC", madtLength);
        Put32(m, 0x400 + 36, 0xFEE00000);
        Put32(m, 0x400 + 40, 1);   // PCAT_COMPAT
        Checksum(m, 0x400, madtLength, 0x400 + 9);
        return m;
    }

    private static byte[] LocalApic(byte apicId, uint flags) =>
        new byte[] { 0, 8, apicId, apicId, (byte)flags, (byte)(flags >> 8), 0, 0 };

    private static byte[] IoApic(uint address, uint gsiBase)
    {
        var e = new byte[12];
        e[0] = 1; e[1] = 12; e[2] = 9;
        BitConverter.TryWriteBytes(new Span<byte>(e, 4, 4), address);
        BitConverter.TryWriteBytes(new Span<byte>(e, 8, 4), gsiBase);
        return e;
    }

    private static byte[] X2Apic(uint apicId, uint flags)
    {
        var e = new byte[16];
        e[0] = 9; e[1] = 16;
        BitConverter.TryWriteBytes(new Span<byte>(e, 4, 4), apicId);
        BitConverter.TryWriteBytes(new Span<byte>(e, 8, 4), flags);
        return e;
    }

    private static bool Find(byte[] m, out MadtInfo info)
    {
        fixed (byte* b = m) return Acpi.FindMadt(0x100, (ulong)b, out info);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FindsEnabledCpusAndTheIoApic_ThroughXsdtOrRsdt(bool xsdt)
    {
        var m = Machine(xsdt, LocalApic(0, 1), LocalApic(1, 1), LocalApic(2, 0), LocalApic(3, 1), IoApic(0xFEC00000, 0));
        Assert.True(Find(m, out MadtInfo info));
        Assert.Equal(3, info.CpuCount);               // the disabled one (apic 2) does not count
        Assert.Equal(0u, info.ApicId(0));
        Assert.Equal(1u, info.ApicId(1));
        Assert.Equal(3u, info.ApicId(2));
        Assert.Equal(0xFEE00000UL, info.LocalApicBase);
        Assert.Equal(0xFEC00000UL, info.IoApicBase);
        Assert.True(info.HasLegacyPics);
    }

    [Fact]
    public void X2ApicEntriesCountOnceEach()
    {
        var m = Machine(true, LocalApic(0, 1), X2Apic(0, 1), X2Apic(300, 1));
        Assert.True(Find(m, out MadtInfo info));
        Assert.Equal(2, info.CpuCount);
        Assert.Equal(300u, info.ApicId(1));
    }

    [Fact]
    public void CpusBeyondCapacityAreCountedAsIgnored()
    {
        var entries = new byte[MadtInfo.MaxCpus + 2][];
        for (int i = 0; i < entries.Length; i++) entries[i] = LocalApic((byte)i, 1);
        Assert.True(Find(Machine(true, entries), out MadtInfo info));
        Assert.Equal(MadtInfo.MaxCpus, info.CpuCount);
        Assert.Equal(2, info.CpusIgnored);
    }

    [Fact]
    public void BadChecksumsMeanNoTable()
    {
        var m = Machine(true, LocalApic(0, 1));
        m[0x400 + 44 + 2] ^= 1;                       // corrupt the MADT
        Assert.False(Find(m, out _));
        m = Machine(false, LocalApic(0, 1));
        m[0x100 + 16] ^= 1;                           // corrupt the RSDP
        Assert.False(Find(m, out _));
        Assert.False(Acpi.FindMadt(0, 0, out _));     // no RSDP at all
    }

    [Fact]
    public void ABrokenEntryLengthEndsTheWalk()
    {
        var broken = new byte[] { 0, 0 };            // length 0 would loop forever
        var m = Machine(true, LocalApic(0, 1), broken, LocalApic(1, 1));
        Assert.True(Find(m, out MadtInfo info));
        Assert.Equal(1, info.CpuCount);
    }
}
