using Sticky.Platform;
using Xunit;

namespace Sticky.Tests.Platform;

public unsafe class MemoryMapTests
{
    [Fact]
    public void Add_KeepsRangesSortedByBase()
    {
        MemoryMap map = default;
        map.Add(0x100000, 0x1000, MemoryMap.Usable);
        map.Add(0x0, 0x9f000, MemoryMap.Usable);
        map.Add(0xf0000, 0x10000, MemoryMap.Reserved);
        Assert.Equal(3, map.Count);
        Assert.Equal(0x0UL, map[0].Base);
        Assert.Equal(0xf0000UL, map[1].Base);
        Assert.Equal(0x100000UL, map[2].Base);
    }

    [Fact]
    public void UsableExcluding_AlignsInwardAndCutsReservedRanges()
    {
        MemoryMap map = default;
        map.Add(0x0, 0x9fc00, MemoryMap.Usable);          // ends mid-page
        map.Add(0x100000, 0x7f00000, MemoryMap.Usable);
        map.Add(0xf0000, 0x10000, MemoryMap.Reserved);
        MemoryMap reserved = default;
        reserved.Add(0x100000, 0x20800, MemoryMap.Reserved);   // kernel image, not page-sized
        reserved.Add(0x400000, 0x1000, MemoryMap.Reserved);    // initrd in the middle

        MemoryMap usable = map.UsableExcluding(&reserved);

        Assert.Equal(3, usable.Count);
        Assert.Equal(0x0UL, usable[0].Base);
        Assert.Equal(0x9f000UL, usable[0].Length);               // partial last page dropped
        Assert.Equal(0x121000UL, usable[1].Base);                // reserved end rounded up
        Assert.Equal(0x400000UL, usable[1].End);
        Assert.Equal(0x401000UL, usable[2].Base);
        Assert.Equal(0x8000000UL, usable[2].End);
    }

    [Fact]
    public void UsableExcluding_DropsRangeFullyCovered()
    {
        MemoryMap map = default;
        map.Add(0x200000, 0x1000, MemoryMap.Usable);
        MemoryMap reserved = default;
        reserved.Add(0x1ff000, 0x3000, MemoryMap.Reserved);
        Assert.Equal(0, map.UsableExcluding(&reserved).Count);
    }

    [Fact]
    public void Add_RefusesBeyondCapacity()
    {
        MemoryMap map = default;
        for (int i = 0; i < MemoryMap.Capacity; i++) Assert.True(map.Add((ulong)i * 0x2000, 0x1000, MemoryMap.Usable));
        Assert.False(map.Add(0xffff0000, 0x1000, MemoryMap.Usable));
        Assert.Equal(MemoryMap.Capacity, map.Count);
    }

    [Fact]
    public void TotalsAndHighestUsableEnd()
    {
        MemoryMap map = default;
        map.Add(0x0, 0x9f000, MemoryMap.Usable);
        map.Add(0x100000, 0x100000, MemoryMap.Usable);
        map.Add(0xfeffc000, 0x4000, MemoryMap.Reserved);
        Assert.Equal(0x19f000UL, map.TotalBytes(MemoryMap.Usable));
        Assert.Equal(0x200000UL, map.HighestUsableEnd());
    }
}
