using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

public unsafe class AddressTests
{
    [Fact]
    public void TableIndex_SplitsAddressIntoNineBitFields()
    {
        // PML4 1, PDPT 2, PD 3, PT 4, offset 0x567
        var va = new VirtualAddress((1UL << 39) | (2UL << 30) | (3UL << 21) | (4UL << 12) | 0x567);
        Assert.Equal(1, va.TableIndex(4));
        Assert.Equal(2, va.TableIndex(3));
        Assert.Equal(3, va.TableIndex(2));
        Assert.Equal(4, va.TableIndex(1));
        Assert.Equal(0x567UL, va.PageOffset);
        Assert.Equal(va.Value - 0x567, va.PageBase.Value);
    }

    [Fact]
    public void KernelHalf_StartsAtPml4Entry256()
    {
        Assert.Equal(Paging.FirstKernelPml4Entry, new VirtualAddress(Paging.KernelStart).TableIndex(4));
        Assert.Equal(511, new VirtualAddress(0xFFFF_FFFF_8000_0000).TableIndex(4));
    }

    [Theory]
    [InlineData(0x0000_7FFF_FFFF_FFFFUL, true)]
    [InlineData(0x0000_8000_0000_0000UL, false)]
    [InlineData(0xFFFF_7FFF_FFFF_FFFFUL, false)]
    [InlineData(0xFFFF_8000_0000_0000UL, true)]
    public void IsCanonical_RejectsTheHole(ulong value, bool canonical) =>
        Assert.Equal(canonical, new VirtualAddress(value).IsCanonical);

    [Fact]
    public void UserRange_ExcludesNullGuardAndLastLowPage()
    {
        Assert.False(new VirtualAddress(0).IsUser);
        Assert.False(new VirtualAddress(Paging.UserStart - 1).IsUser);
        Assert.True(new VirtualAddress(Paging.UserStart).IsUser);
        Assert.False(new VirtualAddress(Paging.UserEnd).IsUser);
        Assert.False(new VirtualAddress(Paging.KernelStart).IsUser);
    }

    [Fact]
    public void FrameNumber_AndPhysicalAddress_Convert()
    {
        var pa = new PhysicalAddress(0x12345678);
        Assert.Equal(0x12345UL, pa.Frame.Value);
        Assert.Equal(0x678UL, pa.PageOffset);
        Assert.Equal(0x12345000UL, pa.Frame.Address.Value);
        Assert.True(FrameNumber.None.IsNone);
        Assert.False(new FrameNumber(0).IsNone);
    }

    [Fact]
    public void EntrySpan_CoversFourKiBToFiveHundredTwelveGiB()
    {
        Assert.Equal(4096UL, Paging.EntrySpan(1));
        Assert.Equal(2UL << 20, Paging.EntrySpan(2));
        Assert.Equal(1UL << 30, Paging.EntrySpan(3));
        Assert.Equal(512UL << 30, Paging.EntrySpan(4));
    }

    [Fact]
    public void HardwareAndMetadataStructs_HaveTheirSizes()
    {
        Assert.Equal(8, sizeof(PageTableEntry));
        Assert.Equal(16, sizeof(FrameInfo));
        Assert.Equal(8, sizeof(FrameNumber));
    }

    [Fact]
    public void PageFault_DecodesErrorCode()
    {
        var f = new PageFault(0x1234, 0b10111);
        Assert.Equal(0x1234UL, f.Address.Value);
        Assert.True(f.IsPresent);
        Assert.True(f.IsWrite);
        Assert.True(f.IsUser);
        Assert.False(f.IsReservedBitSet);
        Assert.True(f.IsExecute);
        Assert.False(new PageFault(0, 0).IsPresent);
    }
}
