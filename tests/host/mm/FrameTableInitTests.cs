using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

// Building the frame table from a boot memory map, as the kernel does.
public unsafe class FrameTableInitTests
{
    private const ulong Page = Paging.PageSize;

    [Fact]
    public void WholeRam_AllButFrameZeroAndMetadataIsFree()
    {
        using var m = new Machine(64);
        Assert.Equal(64UL, m.Frames.FrameCount);
        Assert.Equal(FrameState.Reserved, m.Frames.StateOf(new FrameNumber(0)));
        Assert.Equal(FrameState.Reserved, m.Frames.StateOf(m.MetadataAt.Frame));
        Assert.Equal(1UL, m.MetadataAt.Frame.Value);   // the lowest place that is not frame 0
        Assert.Equal(62UL, m.Frames.FreeFrames);        // 64 - frame 0 - one metadata frame (64 * 16 bytes)
        Assert.Equal(0UL, m.Frames.UsedFrames);
    }

    [Fact]
    public void ReservedRanges_AreRoundedOutward_UsableRangesInward()
    {
        var usable = new[] { new PhysicalRange(0x1800, 30 * Page) };          // frames 2..30 whole, 1 and 31 partial
        var reserved = new[] { new PhysicalRange(10 * Page + 1, 2 * Page) };  // touches frames 10..12
        using var m = new Machine(40, usable, reserved);
        Assert.Equal(FrameState.Reserved, m.Frames.StateOf(new FrameNumber(1)));
        Assert.Equal(FrameState.Reserved, m.Frames.StateOf(new FrameNumber(10)));
        Assert.Equal(FrameState.Reserved, m.Frames.StateOf(new FrameNumber(12)));
        Assert.Equal(FrameState.Free, m.Frames.StateOf(new FrameNumber(13)));
        Assert.Equal(FrameState.Free, m.Frames.StateOf(new FrameNumber(30)));
        Assert.Equal(31UL, m.Frames.FrameCount);                              // up to the last whole usable frame
        // Frames 2..30 usable (29), minus 10..12 (3), minus the metadata frame (at frame 2).
        Assert.Equal(2UL, m.MetadataAt.Frame.Value);
        Assert.Equal(25UL, m.Frames.FreeFrames);
    }

    [Fact]
    public void Holes_BetweenUsableRanges_StayReserved()
    {
        var usable = new[] { new PhysicalRange(0, 16 * Page), new PhysicalRange(32 * Page, 16 * Page) };
        using var m = new Machine(48, usable);
        Assert.Equal(FrameState.Reserved, m.Frames.StateOf(new FrameNumber(20)));
        Assert.Equal(FrameState.Free, m.Frames.StateOf(new FrameNumber(40)));
        Assert.Equal(16UL - 2 + 16, m.Frames.FreeFrames);
        var all = m.Exhaust();
        foreach (var f in all) Assert.True(f.Value < 16 || f.Value >= 32);
        m.FreeAll(all);
    }

    [Fact]
    public void FindPlace_SkipsReservedRangesAndRangesTooSmall()
    {
        var usable = stackalloc PhysicalRange[] { new PhysicalRange(0, 4 * Page), new PhysicalRange(16 * Page, 64 * Page) };
        var reserved = stackalloc PhysicalRange[] { new PhysicalRange(16 * Page, 8 * Page), new PhysicalRange(30 * Page, Page) };
        Assert.True(FrameTableLayout.FindPlace(usable, 2, reserved, 2, 5 * Page, out PhysicalAddress at));
        Assert.Equal(24 * Page, at.Value);   // after the first reservation; 24..28 ends before 30
        Assert.True(FrameTableLayout.FindPlace(usable, 2, reserved, 2, 8 * Page, out at));
        Assert.Equal(31 * Page, at.Value);   // 24..31 would cover frame 30
        Assert.False(FrameTableLayout.FindPlace(usable, 2, reserved, 2, 100 * Page, out _));
    }

    [Fact]
    public void MetadataBytes_IsSixteenPerFrame_AndFrameCountFollowsHighestUsableEnd()
    {
        Assert.Equal(16UL * 1024, FrameTableLayout.MetadataBytes(1024));
        var usable = stackalloc PhysicalRange[] { new PhysicalRange(0x100000, 0x100000), new PhysicalRange(0, 0x9F000) };
        Assert.Equal(0x200UL, FrameTableLayout.FrameCountFor(usable, 2));
    }
}
