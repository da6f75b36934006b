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
