using System;
using Sticky.Mm;
using Xunit;
using static Sticky.Tests.Mm.ForkHelpers;
using Space = Sticky.Mm.AddressSpace<Sticky.Tests.Mm.SimulatedMemory, Sticky.Tests.Mm.RecordingTlb>;

namespace Sticky.Tests.Mm;

// AddressSpace.FindFreeRange: top-down placement of mmap without a hint.
public class FindFreeRangeTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;

    private static ulong? Find(Space s, ulong length, ulong floor, ulong ceiling) =>
        s.FindFreeRange(length, At(floor), At(ceiling), out VirtualAddress start) ? start.Value : null;

    private Space WithRegions(params (ulong start, ulong end)[] regions)
    {
        var s = M.NewSpace();
        foreach (var (start, end) in regions) Assert.Equal(RegionResult.Ok, s.AddRegion(At(start), end - start, Protection.Read));
        return s;
    }

    [Fact]
    public void EmptySpace_TakesTheTopOfTheWindow()
    {
        var s = M.NewSpace();
        Assert.Equal(0x40_0000UL - Page, Find(s, Page, 0x10_0000, 0x40_0000));
        Assert.Equal(Paging.UserEnd - 3 * Page, Find(s, 3 * Page, 0, ulong.MaxValue));   // clamped to user space
        Assert.Equal(Paging.UserStart, Find(s, Page, 0, Paging.UserStart + Page));
        s.Destroy();
    }

    [Fact]
    public void PrefersTheHighestGap_AndFitsExactly()
    {
        var s = WithRegions((0x10_0000, 0x20_0000), (0x30_0000, 0x40_0000), (0x50_0000, 0x60_0000));
        Assert.Equal(0x60_0000UL, Find(s, 0x10_0000, 0x10_0000, 0x70_0000));
        Assert.Equal(0x40_0000UL, Find(s, 0x10_0000, 0x10_0000, 0x60_0000));   // exactly between two
        Assert.Equal(0x20_0000UL, Find(s, 0x10_0000, 0x10_0000, 0x30_0000));
        Assert.Equal(0x20_0000UL, Find(s, 0x10_0000, 0x10_0000, 0x38_0000));   // ceiling inside the region above
        Assert.Null(Find(s, 0x10_1000, 0x10_0000, 0x60_0000));                 // one page too long
        s.Destroy();
    }

    [Fact]
    public void CeilingOrFloorInsideARegion_CountsOnlyTheFreePart()
    {
        var s = WithRegions((0x30_0000, 0x50_0000));
        Assert.Equal(0x30_0000UL - Page, Find(s, Page, 0x10_0000, 0x40_0000));   // ceiling inside: below it
        Assert.Equal(0x50_0000UL, Find(s, 0x10_0000, 0x40_0000, 0x60_0000));     // floor inside: above it
        Assert.Null(Find(s, 0x10_1000, 0x40_0000, 0x60_0000));
        Assert.Null(Find(s, Page, 0x30_0000, 0x50_0000));                         // wholly inside the region
        s.Destroy();
    }

    [Fact]
    public void UnalignedArguments_AreRoundedTheSafeWay()
    {
        var s = M.NewSpace();
        Assert.Equal(0x40_0000UL - Page, Find(s, 1, 0x10_0000, 0x40_0FFF));            // length up, ceiling down
        Assert.Equal(0x40_0000UL - 2 * Page, Find(s, Page + 1, 0x10_0000, 0x40_0000));
        Assert.Equal(0x10_1000UL, Find(s, Page, 0x10_0001, 0x10_2000));               // floor up
        Assert.Null(Find(s, Page, 0x10_0001, 0x10_1FFF));
        s.Destroy();
    }

    [Fact]
    public void Nonsense_IsRefused()
    {
        var s = WithRegions((0x10_0000, 0x20_0000));
        Assert.Null(Find(s, 0, 0x10_0000, 0x40_0000));                  // empty
        Assert.Null(Find(s, Page, 0x40_0000, 0x40_0000));                // empty window
        Assert.Null(Find(s, Page, 0x50_0000, 0x40_0000));                // inverted window
        Assert.Null(Find(s, ulong.MaxValue, 0, ulong.MaxValue));         // would overflow rounding up
        Assert.Null(Find(s, Paging.UserEnd, 0, ulong.MaxValue));         // bigger than user space
        Assert.Null(Find(s, Page, 0xFFFF_8000_0000_0000, ulong.MaxValue)); // kernel half
        s.Destroy();
    }

    [Fact]
    public void TheResult_CanBeMapped()
    {
        var s = M.NewSpace();
        for (ulong i = 0; i < 30; i++)
        {
            Assert.True(s.FindFreeRange(3 * Page, At(0x10_0000), At(0x20_0000), out VirtualAddress start));
            Assert.Equal(RegionResult.Ok, s.AddRegion(start, 3 * Page, Protection.ReadWrite));
        }
        Assert.Equal(0x20_0000UL - 90 * Page, s.RegionAt(0).Start.Value);   // packed top-down
        s.RemoveRange(At(0x20_0000 - 40 * Page), Page);                        // a one-page hole
        Assert.Equal(0x20_0000UL - 40 * Page, Find(s, Page, 0x10_0000, 0x20_0000));
        Assert.Equal(0x20_0000UL - 93 * Page, Find(s, 3 * Page, 0x10_0000, 0x20_0000));
        s.Destroy();
    }

    // Against a brute-force search over a small window, for random layouts.
    [Fact]
    public void MatchesABruteForceSearch()
    {
        var rng = new Random(1234);
        const ulong Base = 0x100_0000, Pages = 48;
        for (int round = 0; round < 300; round++)
        {
            var s = M.NewSpace();
            var used = new bool[Pages];
            for (int r = rng.Next(8); r > 0; r--)
            {
                ulong first = (ulong)rng.Next((int)Pages), count = (ulong)rng.Next(1, 6);
                if (first + count > Pages) count = Pages - first;
                if (s.AddRegion(At(Base + first * Page), count * Page, Protection.Read) == RegionResult.Ok)
                    for (ulong p = first; p < first + count; p++) used[p] = true;
            }
            ulong lo = (ulong)rng.Next((int)Pages), hi = (ulong)rng.Next((int)Pages + 1), len = (ulong)rng.Next(1, 8);

            ulong? expected = null;
            for (ulong start = hi >= len ? hi - len + 1 : 0; start-- > lo && expected == null;)
            {
                bool free = true;
                for (ulong p = start; p < start + len; p++) free &= !used[p];
                if (free) expected = Base + start * Page;
            }
            Assert.Equal(expected, Find(s, len * Page, Base + lo * Page, Base + hi * Page));
            s.Destroy();
        }
    }
}
