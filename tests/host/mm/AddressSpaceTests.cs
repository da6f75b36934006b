using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

// Regions: lookup, overlap rules, munmap and mprotect splitting, teardown.
public class AddressSpaceTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private static VirtualAddress At(ulong a) => new(a);

    private static void AssertRegions(AddressSpace<SimulatedMemory, RecordingTlb> s, params (ulong start, ulong end, Protection p)[] expected)
    {
        Assert.Equal(expected.Length, s.RegionCount);
        for (int i = 0; i < expected.Length; i++)
        {
            Region r = s.RegionAt(i);
            Assert.Equal((expected[i].start, expected[i].end, expected[i].p), (r.Start.Value, r.End.Value, r.Protection));
        }
    }

    [Fact]
    public void FindRegion_FindsTheRegionCoveringAnAddress()
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(0x40_0000), 4 * Page, Protection.ReadExecute));
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(0x10_0000), Page, Protection.ReadWrite));
        Assert.True(s.FindRegion(At(0x40_3FFF), out Region r));
        Assert.Equal(0x40_0000UL, r.Start.Value);
        Assert.False(s.FindRegion(At(0x40_4000), out _));
        Assert.False(s.FindRegion(At(0x3F_FFFF), out _));
        Assert.True(s.FindRegion(At(0x10_0000), out r));
        Assert.Equal(Protection.ReadWrite, r.Protection);
        AssertRegions(s, (0x10_0000, 0x10_1000, Protection.ReadWrite), (0x40_0000, 0x40_4000, Protection.ReadExecute));
        s.Destroy();
    }

    // Lookups remember the last region found; after regions move in the table
    // (inserted before, cut, removed) the answer must still be the region
    // covering the address, never the one that sat at that index before.
    [Fact]
    public void FindRegion_StaysRight_WhenRegionsChangeAroundTheLastOneFound()
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(0x40_0000), 4 * Page, Protection.ReadWrite));
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(0x50_0000), Page, Protection.Read));
        Assert.True(s.FindRegion(At(0x50_0000), out _));              // remembered: index 1
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(0x10_0000), Page, Protection.ReadExecute));
        Assert.True(s.FindRegion(At(0x40_1000), out Region r));       // index 1 is now this one
        Assert.Equal(0x40_0000UL, r.Start.Value);
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(0x40_0000), 4 * Page));
        Assert.False(s.FindRegion(At(0x40_1000), out _));             // gone, though remembered
        Assert.True(s.FindRegion(At(0x50_0000), out r));
        Assert.Equal(Protection.Read, r.Protection);
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(0x10_0000), Page));
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(0x50_0000), Page));
        Assert.False(s.FindRegion(At(0x50_0000), out _));             // remembered index past the end
        s.Destroy();
    }

    [Fact]
    public void AddRegion_RejectsOverlaps_AcceptsNeighbours()
    {
        var s = M.NewSpace();
        s.AddRegion(At(0x40_0000), 4 * Page, Protection.Read);
        Assert.Equal(RegionResult.Overlaps, s.AddRegion(At(0x40_3000), 2 * Page, Protection.Read));
        Assert.Equal(RegionResult.Overlaps, s.AddRegion(At(0x3F_F000), 2 * Page, Protection.Read));
        Assert.Equal(RegionResult.Overlaps, s.AddRegion(At(0x3F_0000), 0x100 * Page, Protection.Read));   // swallows it
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(0x40_4000), Page, Protection.Read));
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(0x3F_F000), Page, Protection.Read));
        Assert.Equal(3, s.RegionCount);
        s.Destroy();
    }

    [Theory]
    [InlineData(0x40_0001UL, 0x1000UL)]              // unaligned start
    [InlineData(0x40_0000UL, 0x800UL)]               // partial page
    [InlineData(0x40_0000UL, 0UL)]                   // empty
    [InlineData(0x0UL, 0x1000UL)]                    // null guard
    [InlineData(0x0000_7FFF_FFFF_F000UL, 0x1000UL)]  // past UserEnd
    [InlineData(0xFFFF_8000_0000_0000UL, 0x1000UL)]  // kernel half
    [InlineData(0x40_0000UL, 0xFFFF_FFFF_FFC0_0000UL)] // wraps
    public void AddRegion_RejectsInvalidRanges(ulong start, ulong length)
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.InvalidRange, s.AddRegion(At(start), length, Protection.Read));
        Assert.Equal(0, s.RegionCount);
        s.Destroy();
    }

    [Fact]
    public void RemoveRange_InTheMiddle_SplitsTheRegion()
    {
        var s = M.NewSpace();
        s.AddRegion(At(0x40_0000), 8 * Page, Protection.ReadWrite);
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(0x40_2000), 3 * Page));
        AssertRegions(s, (0x40_0000, 0x40_2000, Protection.ReadWrite), (0x40_5000, 0x40_8000, Protection.ReadWrite));
        s.Destroy();
    }

    [Fact]
    public void RemoveRange_TrimsEnds_AndDropsWholeRegions_AcrossHoles()
    {
        var s = M.NewSpace();
        s.AddRegion(At(0x10_0000), 4 * Page, Protection.Read);
        s.AddRegion(At(0x20_0000), 4 * Page, Protection.Read);
        s.AddRegion(At(0x30_0000), 4 * Page, Protection.Read);
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(0x10_2000), 0x20_1000));
        AssertRegions(s, (0x10_0000, 0x10_2000, Protection.Read), (0x30_3000, 0x30_4000, Protection.Read));
        Assert.Equal(RegionResult.Ok, s.RemoveRange(At(0x50_0000), Page));   // nothing there: fine
        Assert.Equal(RegionResult.InvalidRange, s.RemoveRange(At(0x10_0800), Page));
        s.Destroy();
    }

    [Fact]
    public void RemoveRange_UnmapsPages_AndFreesTheirFrames()
    {
        var s = M.NewSpace();
        s.AddRegion(At(0x40_0000), 4 * Page, Protection.ReadWrite);
        for (ulong i = 0; i < 4; i++) Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Write(M, s, 0x40_0000 + i * Page, 1));
        ulong used = M.Frames.UsedFrames;
        M.TlbLog.Clear();
        s.RemoveRange(At(0x40_1000), 2 * Page);
        Assert.Equal(used - 2, M.Frames.UsedFrames);
        Assert.True(M.TlbLog.Invalidated(0x40_1000));
        Assert.True(M.TlbLog.Invalidated(0x40_2000));
        Assert.False(s.Table.Translate(At(0x40_1000), out _, out _));
        Assert.True(s.Table.Translate(At(0x40_3000), out _, out _));
        Assert.Equal(FaultVerdict.NoRegion, SimulatedCpu.Write(M, s, 0x40_1000, 1));
        s.Destroy();
    }

    [Fact]
    public void ProtectRange_SplitsRegion_AndRewritesPresentPages()
    {
        var s = M.NewSpace();
        s.AddRegion(At(0x40_0000), 4 * Page, Protection.ReadWrite);
        for (ulong i = 0; i < 4; i++) SimulatedCpu.Write(M, s, 0x40_0000 + i * Page, 7);
        M.TlbLog.Clear();
        Assert.Equal(RegionResult.Ok, s.ProtectRange(At(0x40_1000), 2 * Page, Protection.Read));
        AssertRegions(s, (0x40_0000, 0x40_1000, Protection.ReadWrite),
                         (0x40_1000, 0x40_3000, Protection.Read),
                         (0x40_3000, 0x40_4000, Protection.ReadWrite));
        Assert.True(M.TlbLog.Invalidated(0x40_1000));
        Assert.Equal(FaultVerdict.AccessViolation, SimulatedCpu.Write(M, s, 0x40_1000, 1));
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Read(M, s, 0x40_1000, out byte b));
        Assert.Equal(7, b);
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Write(M, s, 0x40_3000, 1));
        s.Destroy();
    }

    [Fact]
    public void ProtectRange_OverAHole_ChangesNothing()
    {
        var s = M.NewSpace();
        s.AddRegion(At(0x40_0000), 2 * Page, Protection.ReadWrite);
        s.AddRegion(At(0x40_3000), 2 * Page, Protection.ReadWrite);
        Assert.Equal(RegionResult.NotMapped, s.ProtectRange(At(0x40_0000), 5 * Page, Protection.Read));
        AssertRegions(s, (0x40_0000, 0x40_2000, Protection.ReadWrite), (0x40_3000, 0x40_5000, Protection.ReadWrite));
        s.Destroy();
    }

    [Fact]
    public void ProtectNone_KeepsContents_ForALaterProtectBack()
    {
        var s = M.NewSpace();
        s.AddRegion(At(0x40_0000), Page, Protection.ReadWrite);
        SimulatedCpu.Write(M, s, 0x40_0010, 42);
        s.ProtectRange(At(0x40_0000), Page, Protection.None);
        Assert.Equal(FaultVerdict.AccessViolation, SimulatedCpu.Read(M, s, 0x40_0010, out _));
        s.ProtectRange(At(0x40_0000), Page, Protection.Read);
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Read(M, s, 0x40_0010, out byte b));
        Assert.Equal(42, b);
        s.Destroy();
    }

    [Fact]
    public void ManyRegions_GrowTheRegionList_AndStaySorted()
    {
        var s = M.NewSpace();
        for (ulong i = 40; i > 0; i--) Assert.Equal(RegionResult.Ok, s.AddRegion(At(i * 0x10_0000), Page, Protection.Read));
        Assert.Equal(40, s.RegionCount);
        for (int i = 1; i < s.RegionCount; i++) Assert.True(s.RegionAt(i - 1).End <= s.RegionAt(i).Start);
        Assert.True(s.FindRegion(At(17 * 0x10_0000 + 5), out Region r));
        Assert.Equal(17UL * 0x10_0000, r.Start.Value);
        s.Destroy();
    }

    [Fact]
    public void Destroy_ReturnsEveryFrame_IncludingPageTablePages()
    {
        var s = M.NewSpace();
        s.AddRegion(At(0x40_0000), 16 * Page, Protection.ReadWrite);
        s.AddRegion(At(0x7F00_0000_0000), 16 * Page, Protection.ReadWrite);   // another PML4 entry
        for (ulong i = 0; i < 16; i += 3)
        {
            SimulatedCpu.Write(M, s, 0x40_0000 + i * Page, 1);
            SimulatedCpu.Write(M, s, 0x7F00_0000_0000 + i * Page, 1);
        }
        Assert.True(M.Frames.UsedFrames > 12 + 6);   // pages plus tables plus the PML4
        s.Destroy();
        M.AssertNoLeaks();
    }

    [Fact]
    public void LeakedFrame_IsCaughtByTheFreeCounter()
    {
        var s = M.NewSpace();
        s.Destroy();
        FrameNumber leaked = M.Allocate();
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => M.AssertNoLeaks());
        M.Frames.Free(leaked);
    }
}
