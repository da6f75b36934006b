using System.Collections.Generic;
using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

// The kernel heap's reserve: user-side allocations stop at the floor, so
// running out of memory is an ENOMEM for a process, never a kernel failure.
public class FrameReserveTests : MemoryTest
{
    [Fact]
    public void TryAllocate_StopsAtTheFloor_ReservedAllocationGoesBelowIt()
    {
        M.Frames.ReserveFloor = 4;
        var taken = new List<FrameNumber>();
        while (M.Frames.TryAllocate(out FrameNumber f)) taken.Add(f);
        Assert.Equal(4UL, M.Frames.FreeFrames);
        Assert.Equal(M.Baseline - 4, (ulong)taken.Count);

        for (int i = 0; i < 4; i++)
        {
            Assert.True(M.Frames.TryAllocateReserved(out FrameNumber r));
            taken.Add(r);
        }
        Assert.False(M.Frames.TryAllocateReserved(out _));

        foreach (FrameNumber f in taken) M.Frames.Free(f);
        M.Frames.ReserveFloor = 0;
        Assert.Equal(M.Baseline, M.Frames.FreeFrames);
    }

    [Fact]
    public void Fault_WhenOnlyTheReserveIsLeft_IsOutOfMemory()
    {
        var space = M.NewSpace();
        Assert.Equal(RegionResult.Ok, space.AddRegion(new VirtualAddress(0x400000), 0x1000, Protection.ReadWrite));
        M.Frames.ReserveFloor = M.Frames.FreeFrames;
        Assert.Equal(FaultVerdict.OutOfMemory, space.HandleFault(new VirtualAddress(0x400000), true, true, false));
        M.Frames.ReserveFloor = 0;
        space.Destroy();
    }
}
