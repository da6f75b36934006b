using System;
using System.Collections.Generic;
using Sticky.Exec;
using Xunit;

namespace Sticky.Tests.Exec;

// Builds ELF64 images byte by byte so the tests need no toolchain.
internal sealed class ElfBuilder
{
    public struct Ph { public uint Type, Flags; public ulong Offset, Vaddr, FileSize, MemSize, Align; }

    public byte Class = 2, Data = 1, IdentVersion = 1;
    public byte[] Magic = { 0x7F, (byte)'E', (byte)'L', (byte)'F' };
    public ushort Type = 2, Machine = 62, PhEntSize = 56, EhSize = 64;
    public uint Version = 1;
    public ulong Entry = 0x401000;
    public ulong PhOff = 64;
    public int? PhNumOverride;
    public int FileSize = 0x3000;
    public List<Ph> Phs = new();

    public ElfBuilder Load(ulong offset, ulong vaddr, ulong filesz, ulong memsz, uint flags, ulong align = 0x1000)
    {
        Phs.Add(new Ph { Type = 1, Flags = flags, Offset = offset, Vaddr = vaddr, FileSize = filesz, MemSize = memsz, Align = align });
        return this;
    }

    public ElfBuilder Other(uint type, ulong vaddr = 0, uint flags = 6)
    {
        Phs.Add(new Ph { Type = type, Flags = flags, Vaddr = vaddr });
        return this;
    }

    // A typical static binary: headers+rodata (R), text (RX), data+bss (RW).
    public static ElfBuilder TwoSegments() => new ElfBuilder()
        .Load(0, 0x400000, 0x2000, 0x2000, 5)
        .Load(0x2000, 0x402000, 0x800, 0x3000, 6);

    public byte[] Build()
    {
        var b = new byte[FileSize];
        Magic.CopyTo(b, 0);
        b[4] = Class; b[5] = Data; b[6] = IdentVersion;
        W16(b, 16, Type); W16(b, 18, Machine); W32(b, 20, Version);
        W64(b, 24, Entry); W64(b, 32, PhOff);
        W16(b, 52, EhSize); W16(b, 54, PhEntSize); W16(b, 56, (ushort)(PhNumOverride ?? Phs.Count));
        for (int i = 0; i < Phs.Count; i++)
        {
            ulong o = PhOff + (ulong)(i * 56);
            if (o > (ulong)b.Length - 56) break;
            int p = (int)o;
            var ph = Phs[i];
            W32(b, p, ph.Type); W32(b, p + 4, ph.Flags); W64(b, p + 8, ph.Offset); W64(b, p + 16, ph.Vaddr);
            W64(b, p + 24, ph.Vaddr); W64(b, p + 32, ph.FileSize); W64(b, p + 40, ph.MemSize); W64(b, p + 48, ph.Align);
        }
        return b;
    }

    private static void W16(byte[] b, int o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
    private static void W32(byte[] b, int o, uint v) { for (int i = 0; i < 4; i++) b[o + i] = (byte)(v >> (8 * i)); }
    private static void W64(byte[] b, int o, ulong v) { for (int i = 0; i < 8; i++) b[o + i] = (byte)(v >> (8 * i)); }
}

public unsafe class ElfImageTests
{
    private static ElfError Parse(byte[] b, ulong bias, out ElfImage image, int? length = null)
    {
        fixed (byte* p = b) return ElfImage.Parse(p, (ulong)(length ?? b.Length), bias, out image);
    }

    private static ElfError Parse(ElfBuilder e, ulong bias = 0) => Parse(e.Build(), bias, out _);

    [Fact]
    public void ExecWithTwoSegments_IsDescribed()
    {
        var e = ElfBuilder.TwoSegments();
        e.Other(0x6474E551, flags: 6);  // PT_GNU_STACK, RW
        byte[] b = e.Build();
        fixed (byte* p = b)
        {
            Assert.Equal(ElfError.Ok, ElfImage.Parse(p, (ulong)b.Length, 0x1234000, out ElfImage img));
            Assert.False(img.IsDynamic);
            Assert.Equal(0UL, img.Bias);
            Assert.Equal(0x401000UL, img.Entry);
            Assert.Equal(0x400040UL, img.PhdrAddress);   // from the PT_LOAD covering phoff
            Assert.Equal(56u, img.PhEnt);
            Assert.Equal(3u, img.PhNum);
            Assert.Equal(2, img.SegmentCount);
            Assert.Equal(0x400000UL, img.LowVaddr);
            Assert.Equal(0x405000UL, img.HighVaddr);
            Assert.True(img.HasGnuStack);
            Assert.False(img.StackExecutable);

            Assert.True(img.GetSegment(0, out ElfSegment s0));
            Assert.Equal(0x400000UL, s0.Vaddr);
            Assert.True(s0.Readable && s0.Executable && !s0.Writable);
            Assert.True(p == img.SegmentData(s0));

            Assert.True(img.GetSegment(1, out ElfSegment s1));
            Assert.Equal(0x402000UL, s1.Vaddr);
            Assert.Equal(0x800UL, s1.FileSize);
            Assert.Equal(0x3000UL, s1.MemSize);
            Assert.Equal(0x2000UL, s1.Offset);
            Assert.Equal(0x1000UL, s1.Align);
            Assert.True(s1.Readable && s1.Writable && !s1.Executable);
            Assert.True(p + 0x2000 == img.SegmentData(s1));

            Assert.False(img.GetSegment(2, out _));
            Assert.False(img.GetSegment(-1, out _));
        }
    }

    [Fact]
    public void NoGnuStack_DefaultsToExecutableStack()
    {
        Assert.Equal(ElfError.Ok, Parse(ElfBuilder.TwoSegments().Build(), 0, out ElfImage img));
        Assert.False(img.HasGnuStack);
        Assert.True(img.StackExecutable);
    }

    [Fact]
    public void StaticPie_AppliesBias()
    {
        var e = new ElfBuilder { Type = 3, Entry = 0x1100 };
        e.Other(6, vaddr: 0x40);                         // PT_PHDR
        e.Load(0, 0, 0x1000, 0x1000, 4).Load(0x1000, 0x1000, 0x1000, 0x1000, 5).Load(0x2000, 0x2000, 0x100, 0x2000, 6);
        e.Other(2);                                      // PT_DYNAMIC is fine for static-PIE
        const ulong bias = 0x5555_5555_4000;
        Assert.Equal(ElfError.Ok, Parse(e.Build(), bias, out ElfImage img));
        Assert.True(img.IsDynamic);
        Assert.Equal(bias, img.Bias);
        Assert.Equal(bias + 0x1100, img.Entry);
        Assert.Equal(bias + 0x40, img.PhdrAddress);
        Assert.Equal(5u, img.PhNum);
        Assert.Equal(3, img.SegmentCount);
        Assert.Equal(bias, img.LowVaddr);
        Assert.Equal(bias + 0x4000, img.HighVaddr);
        Assert.True(img.GetSegment(2, out ElfSegment s));
        Assert.Equal(bias + 0x2000, s.Vaddr);
    }

    [Fact]
    public void StaticPie_RejectsUnalignedOrZeroOrHugeBias()
    {
        var e = new ElfBuilder { Type = 3, Entry = 0x100 };
        e.Load(0, 0, 0x1000, 0x1000, 5);
        Assert.Equal(ElfError.BadBias, Parse(e, 0x1001));
        Assert.Equal(ElfError.BadBias, Parse(e, ElfImage.UserLimit));
        Assert.Equal(ElfError.BadSegment, Parse(e, 0));               // would map page 0
        Assert.Equal(ElfError.Ok, Parse(e, ElfImage.UserLimit - 0x1000));        // ends exactly at the limit
        Assert.Equal(ElfError.BadSegment, Parse(e.Load(0x1000, 0x1000, 0, 0x1000, 6), ElfImage.UserLimit - 0x1000));
    }

    [Fact]
    public void SegmentEndingAtUserLimit_IsAccepted()
    {
        var e = new ElfBuilder { Entry = ElfImage.UserLimit - 0x1000 };
        e.Load(0, ElfImage.UserLimit - 0x1000, 0x1000, 0x1000, 5);
        Assert.Equal(ElfError.Ok, Parse(e));
    }

    [Fact] public void EmptyOrShortHeader_IsTruncated()
    {
        byte[] b = ElfBuilder.TwoSegments().Build();
        Assert.Equal(ElfError.Truncated, Parse(b, 0, out _, 63));
        Assert.Equal(ElfError.Truncated, Parse(b, 0, out _, 0));
        Assert.Equal(ElfError.Truncated, ElfImage.Parse(null, 100, 0, out _));
    }

    [Fact] public void BadMagic() => Assert.Equal(ElfError.NotElf, Parse(new ElfBuilder { Magic = new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'G' } }.Load(0, 0x400000, 0x1000, 0x1000, 5)));
    [Fact] public void Class32() => Assert.Equal(ElfError.WrongClass, Parse(ElfBuilder.TwoSegments().With(e => e.Class = 1)));
    [Fact] public void BigEndian() => Assert.Equal(ElfError.WrongEndian, Parse(ElfBuilder.TwoSegments().With(e => e.Data = 2)));
    [Fact] public void BadVersion()
    {
        Assert.Equal(ElfError.WrongVersion, Parse(ElfBuilder.TwoSegments().With(e => e.IdentVersion = 0)));
        Assert.Equal(ElfError.WrongVersion, Parse(ElfBuilder.TwoSegments().With(e => e.Version = 2)));
    }
    [Fact] public void WrongMachine() => Assert.Equal(ElfError.WrongMachine, Parse(ElfBuilder.TwoSegments().With(e => e.Machine = 183)));
    [Fact] public void RelocatableOrCore_NotExecutable()
    {
        Assert.Equal(ElfError.NotExecutable, Parse(ElfBuilder.TwoSegments().With(e => e.Type = 1)));
        Assert.Equal(ElfError.NotExecutable, Parse(ElfBuilder.TwoSegments().With(e => e.Type = 4)));
    }
    [Fact] public void BadPhEntSize() => Assert.Equal(ElfError.BadHeader, Parse(ElfBuilder.TwoSegments().With(e => e.PhEntSize = 64)));
    [Fact] public void BadEhSize() => Assert.Equal(ElfError.BadHeader, Parse(ElfBuilder.TwoSegments().With(e => e.EhSize = 32)));
    [Fact] public void ZeroOrXnumPhNum()
    {
        Assert.Equal(ElfError.BadHeader, Parse(ElfBuilder.TwoSegments().With(e => e.PhNumOverride = 0)));
        Assert.Equal(ElfError.BadHeader, Parse(ElfBuilder.TwoSegments().With(e => e.PhNumOverride = 0xFFFF)));
    }
    [Fact] public void PhOffPastEnd() => Assert.Equal(ElfError.Truncated, Parse(ElfBuilder.TwoSegments().With(e => e.PhOff = 0x3000)));
    [Fact] public void PhTablePartlyPastEnd() => Assert.Equal(ElfError.Truncated, Parse(ElfBuilder.TwoSegments().With(e => e.PhOff = 0x3000 - 100)));
    [Fact] public void PhOffOverflowing() => Assert.Equal(ElfError.Truncated, Parse(ElfBuilder.TwoSegments().With(e => e.PhOff = ulong.MaxValue - 10)));
    [Fact] public void PhNumPastEnd() => Assert.Equal(ElfError.Truncated, Parse(ElfBuilder.TwoSegments().With(e => e.PhNumOverride = 250)));

    [Fact] public void SegmentFilePastEnd() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder().Load(0x2000, 0x402000, 0x1001, 0x2000, 6)));
    [Fact] public void SegmentOffsetOverflowing() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder().Load(0xFFFF_FFFF_FFFF_F000, 0x400000, 0x2000, 0x2000, 6)));
    [Fact] public void FileSizeAboveMemSize() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder().Load(0, 0x400000, 0x2000, 0x1000, 5)));
    [Fact] public void VaddrPlusMemSizeWraps() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder().Load(0, 0x400000, 0x1000, 0xFFFF_FFFF_FFC0_0000, 5)));
    [Fact] public void SegmentCrossingUserLimit() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder().Load(0, ElfImage.UserLimit - 0x1000, 0x1000, 0x2000, 5)));
    [Fact] public void KernelHalfVaddr() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder { Entry = 0xFFFF_FFFF_8000_1000 }.Load(0, 0xFFFF_FFFF_8000_0000, 0x1000, 0x1000, 5)));
    [Fact] public void MisalignedVaddrAndOffset() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder().Load(0, 0x400100, 0x1000, 0x1000, 5)));
    [Fact] public void NonPowerOfTwoAlign() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder().Load(0, 0x400000, 0x1000, 0x1000, 5, align: 0x3000)));
    [Fact] public void OverlappingSegments() => Assert.Equal(ElfError.BadSegment, Parse(new ElfBuilder().Load(0, 0x400000, 0x2000, 0x2000, 5).Load(0x1000, 0x401000, 0x1000, 0x1000, 6)));
    [Fact] public void Interpreter() => Assert.Equal(ElfError.NeedsInterpreter, Parse(ElfBuilder.TwoSegments().With(e => e.Phs.Insert(0, new ElfBuilder.Ph { Type = 3 }))));
    [Fact] public void NoLoadSegments() => Assert.Equal(ElfError.NoSegments, Parse(new ElfBuilder().Other(0x6474E551)));
    [Fact] public void EntryOutsideSegments() => Assert.Equal(ElfError.BadEntry, Parse(ElfBuilder.TwoSegments().With(e => e.Entry = 0x405000)));

    [Fact]
    public void PhdrNotLoaded_GivesZeroPhdrAddress()
    {
        var e = new ElfBuilder().Load(0x1000, 0x401000, 0x1000, 0x1000, 5);
        Assert.Equal(ElfError.Ok, Parse(e.Build(), 0, out ElfImage img));
        Assert.Equal(0UL, img.PhdrAddress);
    }

    [Fact]
    public void RandomCorruption_NeverThrows()
    {
        byte[] good = ElfBuilder.TwoSegments().Build();
        var rng = new Random(1234);
        for (int round = 0; round < 20000; round++)
        {
            byte[] b = (byte[])good.Clone();
            int flips = rng.Next(1, 8);
            for (int i = 0; i < flips; i++) b[rng.Next(0, 64 + 2 * 56)] = (byte)rng.Next(256);
            int len = rng.Next(0, 4) == 0 ? rng.Next(0, b.Length) : b.Length;
            ElfError r = Parse(b, 0x10000, out ElfImage img, len);
            if (r != ElfError.Ok) continue;
            // Whatever was accepted must describe memory inside the buffer.
            for (int s = 0; s < img.SegmentCount; s++)
            {
                Assert.True(img.GetSegment(s, out ElfSegment seg));
                Assert.True(seg.Offset + seg.FileSize <= (ulong)len);
                Assert.True(seg.Vaddr + seg.MemSize <= ElfImage.UserLimit);
            }
        }
    }
}

internal static class ElfBuilderExtensions
{
    public static ElfBuilder With(this ElfBuilder e, Action<ElfBuilder> change) { change(e); return e; }
}
