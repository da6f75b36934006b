using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

public class PageTableEntryTests
{
    [Fact]
    public void Flags_SitAtTheirArchitecturalBits()
    {
        Assert.Equal(1UL << 0, (ulong)PageFlags.Present);
        Assert.Equal(1UL << 1, (ulong)PageFlags.Writable);
        Assert.Equal(1UL << 2, (ulong)PageFlags.User);
        Assert.Equal(1UL << 3, (ulong)PageFlags.WriteThrough);
        Assert.Equal(1UL << 4, (ulong)PageFlags.CacheDisable);
        Assert.Equal(1UL << 5, (ulong)PageFlags.Accessed);
        Assert.Equal(1UL << 6, (ulong)PageFlags.Dirty);
        Assert.Equal(1UL << 7, (ulong)PageFlags.Huge);
        Assert.Equal(1UL << 8, (ulong)PageFlags.Global);
        Assert.Equal(1UL << 63, (ulong)PageFlags.NoExecute);
    }

    [Fact]
    public void Cow_IsASoftwareBitTheCpuIgnores()
    {
        ulong cow = (ulong)PageFlags.Cow;
        Assert.True(cow >= 1UL << 9 && cow <= 1UL << 11);
        Assert.Equal(0UL, cow & PageTableEntry.AddressMask);
    }

    [Fact]
    public void Entry_RoundTripsFrameAndFlags()
    {
        var e = new PageTableEntry(new FrameNumber(0xABCDE), PageFlags.Present | PageFlags.Writable | PageFlags.NoExecute);
        Assert.Equal(0x8000_0000_ABCD_E003UL, e.Raw);
        Assert.Equal(0xABCDEUL, e.Frame.Value);
        Assert.Equal(0xABCDE000UL, e.Address.Value);
        Assert.True(e.IsPresent);
        Assert.True(e.IsWritable);
        Assert.False(e.IsUser);
        Assert.False(e.IsExecutable);
        Assert.Equal(PageFlags.Present | PageFlags.Writable | PageFlags.NoExecute, e.Flags);
    }

    [Fact]
    public void AddressMask_KeepsBits12To51Only()
    {
        Assert.Equal(0x000F_FFFF_FFFF_F000UL, PageTableEntry.AddressMask);
        var e = new PageTableEntry(ulong.MaxValue);
        Assert.Equal(0x000F_FFFF_FFFF_F000UL, e.Address.Value);
        // A frame number too big for 52 bits cannot spill into the flags.
        var big = new PageTableEntry(new FrameNumber(1UL << 41), PageFlags.None);
        Assert.Equal(PageFlags.None, big.Flags);
    }
}
