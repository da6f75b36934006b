using System;
using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

// Shared anonymous memory: regions backed by a SharedMemoryObject.
public unsafe class SharedMemoryTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private static VirtualAddress At(ulong a) => new(a);

    [Fact]
    public void TwoSpaces_MappingOneObject_SeeTheSameFrame()
    {
        var shm = new SharedMemoryObject(4);
        var a = M.NewSpace();
        var b = M.NewSpace();
        Assert.Equal(RegionResult.Ok, a.AddSharedRegion(At(0x40_0000), 4 * Page, Protection.ReadWrite, shm, 0));
        Assert.Equal(RegionResult.Ok, b.AddSharedRegion(At(0x90_0000), 2 * Page, Protection.ReadWrite, shm, 2));
        Assert.Equal(3u, shm.RefCount);

        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Write(M, a, 0x40_2000 + 5, 99));   // object page 2
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Read(M, b, 0x90_0000 + 5, out byte v));
        Assert.Equal(99, v);
        Assert.Equal(3u, M.Frames.RefCountOf(shm.FrameOf(2)));   // the object and two PTEs

        a.Destroy();
        b.Destroy();
        Assert.Equal(1u, shm.RefCount);
        Assert.Equal(FrameState.Used, M.Frames.StateOf(shm.FrameOf(2)));   // the object still holds it
        shm.Release(M.Frames);
    }

    [Fact]
    public void SharedPages_AreCommittedZeroed()
    {
        var shm = new SharedMemoryObject(1);
        var a = M.NewSpace();
        a.AddSharedRegion(At(0x40_0000), Page, Protection.Read, shm, 0);
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Read(M, a, 0x40_0FFF, out byte v));
        Assert.Equal(0, v);
        a.Destroy();
        shm.Release(M.Frames);
    }

    [Fact]
    public void SplittingASharedRegion_TakesAReferencePerPiece()
    {
        var shm = new SharedMemoryObject(8);
        var a = M.NewSpace();
        a.AddSharedRegion(At(0x40_0000), 8 * Page, Protection.ReadWrite, shm, 0);
        Assert.Equal(2u, shm.RefCount);
        a.RemoveRange(At(0x40_3000), Page);   // two pieces
        Assert.Equal(3u, shm.RefCount);
        Assert.True(a.FindRegion(At(0x40_5000), out Region right));
        Assert.Equal(4UL, right.BackingPage);
        SimulatedCpu.Write(M, a, 0x40_5000, 1);
        Assert.False(shm.FrameOf(5).IsNone);   // the right piece still lands on the right object page
        Assert.True(shm.FrameOf(4).IsNone);
        a.RemoveRange(At(0x40_0000), 8 * Page);
        Assert.Equal(1u, shm.RefCount);
        a.Destroy();
        shm.Release(M.Frames);
    }

    [Fact]
    public void MunmapOfEveryMapping_KeepsTheObjectsData()
    {
        var shm = new SharedMemoryObject(1);
        var a = M.NewSpace();
        a.AddSharedRegion(At(0x40_0000), Page, Protection.ReadWrite, shm, 0);
        SimulatedCpu.Write(M, a, 0x40_0000, 77);
        a.RemoveRange(At(0x40_0000), Page);
        Assert.Equal(1u, M.Frames.RefCountOf(shm.FrameOf(0)));
        a.AddSharedRegion(At(0x50_0000), Page, Protection.Read, shm, 0);
        SimulatedCpu.Read(M, a, 0x50_0000, out byte v);
        Assert.Equal(77, v);
        a.Destroy();
        shm.Release(M.Frames);
    }

    [Fact]
    public void WindowPastTheObject_IsAnInvalidRange()
    {
        var shm = new SharedMemoryObject(2);
        var a = M.NewSpace();
        Assert.Equal(RegionResult.InvalidRange, a.AddSharedRegion(At(0x40_0000), 2 * Page, Protection.Read, shm, 1));
        Assert.Equal(RegionResult.InvalidRange, a.AddSharedRegion(At(0x40_0000), Page, Protection.Read, shm, ulong.MaxValue));
        Assert.Equal(1u, shm.RefCount);
        a.Destroy();
        shm.Release(M.Frames);
        Assert.Throws<InvalidOperationException>(() => shm.Release(M.Frames));
    }
}
