using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

// Copy-on-write faults on a page shared by hand the way fork shares it (one
// frame, one extra reference, both PTEs read-only with Cow set), so each fault
// case is tested apart from fork itself (ForkTests covers that).
public unsafe class CowTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong Data = 0x70_0000;
    private static VirtualAddress At(ulong a) => new(a);

    [Fact]
    public void Decide_ReusesASoleOwnersFrame_CopiesASharedOne()
    {
        Assert.Equal(CowDecision.Reuse, Cow.Decide(1));
        Assert.Equal(CowDecision.Copy, Cow.Decide(2));
        Assert.Equal(CowDecision.Copy, Cow.Decide(7));
        Assert.Throws<System.InvalidOperationException>(() => Cow.Decide(0));
    }

    private (AddressSpace<SimulatedMemory, RecordingTlb> parent, AddressSpace<SimulatedMemory, RecordingTlb> child, FrameNumber frame) Forked(byte value)
    {
        var parent = M.NewSpace();
        var child = M.NewSpace();
        parent.AddRegion(At(Data), Page, Protection.ReadWrite);
        child.AddRegion(At(Data), Page, Protection.ReadWrite);
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Write(M, parent, Data, value));
        parent.Table.GetEntry(At(Data), out PageTableEntry pte);
        PageFlags cow = (pte.Flags & ~PageFlags.Writable) | PageFlags.Cow;
        Assert.True(parent.Table.Protect(At(Data), cow));
        M.Frames.AddRef(pte.Frame);
        Assert.Equal(MapResult.Mapped, child.Table.Map(At(Data), pte.Frame, cow));
        return (parent, child, pte.Frame);
    }

    [Fact]
    public void WriteToSharedCowPage_CopiesIt_AndTheOtherSideKeepsTheOldData()
    {
        var (parent, child, frame) = Forked(11);
        M.TlbLog.Clear();
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Write(M, child, Data, 22));
        Assert.True(M.TlbLog.Invalidated(Data));

        child.Table.GetEntry(At(Data), out PageTableEntry childPte);
        Assert.NotEqual(frame, childPte.Frame);
        Assert.True(childPte.IsWritable);
        Assert.False(childPte.IsCow);
        Assert.Equal(1u, M.Frames.RefCountOf(frame));
        SimulatedCpu.Read(M, parent, Data, out byte p);
        SimulatedCpu.Read(M, child, Data, out byte c);
        Assert.Equal((11, 22), (p, c));
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void WriteToCowPage_WithOneOwnerLeft_MakesItWritableInPlace()
    {
        var (parent, child, frame) = Forked(11);
        SimulatedCpu.Write(M, child, Data, 22);   // child copies; parent is now the sole owner
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Write(M, parent, Data, 33));
        Assert.Equal(used, M.Frames.UsedFrames);
        parent.Table.GetEntry(At(Data), out PageTableEntry pte);
        Assert.Equal(frame, pte.Frame);
        Assert.True(pte.IsWritable);
        Assert.False(pte.IsCow);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void CopyKeepsTheWholePage()
    {
        var (parent, child, frame) = Forked(0);
        for (int i = 0; i < (int)Page; i++) M.Bytes(frame)[i] = (byte)(i * 7);
        SimulatedCpu.Write(M, child, Data + 100, 1);
        child.Table.GetEntry(At(Data), out PageTableEntry pte);
        for (int i = 0; i < (int)Page; i++)
            if (i != 100) Assert.Equal((byte)(i * 7), M.Bytes(pte.Frame)[i]);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void ReadOfCowPage_DoesNotCopy()
    {
        var (parent, child, _) = Forked(11);
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Read(M, child, Data, out byte b));
        Assert.Equal(11, b);
        Assert.Equal(used, M.Frames.UsedFrames);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void Mprotect_OfACowPage_KeepsItReadOnlyUntilTheWriteFault()
    {
        var (parent, child, frame) = Forked(11);
        child.ProtectRange(At(Data), Page, Protection.Read);
        child.ProtectRange(At(Data), Page, Protection.ReadWrite);
        child.Table.GetEntry(At(Data), out PageTableEntry pte);
        Assert.False(pte.IsWritable);
        Assert.True(pte.IsCow);
        SimulatedCpu.Write(M, child, Data, 22);
        SimulatedCpu.Read(M, parent, Data, out byte p);
        Assert.Equal(11, p);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void CowWrite_ToAReadOnlyRegion_IsStillAViolation()
    {
        var (parent, child, _) = Forked(11);
        child.ProtectRange(At(Data), Page, Protection.Read);
        Assert.Equal(FaultVerdict.AccessViolation, SimulatedCpu.Write(M, child, Data, 22));
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void OutOfMemory_DuringCopy_LeavesBothSidesSharing()
    {
        var (parent, child, frame) = Forked(11);
        var hog = M.Exhaust();
        Assert.Equal(FaultVerdict.OutOfMemory, SimulatedCpu.Write(M, child, Data, 22));
        Assert.Equal(2u, M.Frames.RefCountOf(frame));
        M.FreeAll(hog);
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Write(M, child, Data, 22));
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void Destroy_OfBothSides_ReturnsTheSharedFrameOnce()
    {
        var (parent, child, frame) = Forked(11);
        parent.Destroy();
        Assert.Equal(FrameState.Used, M.Frames.StateOf(frame));
        child.Destroy();
        Assert.Equal(FrameState.Free, M.Frames.StateOf(frame));
    }

    [Fact]
    public void CopyMovesTheFaultingSide_AwayFromAPinnedFrame()
    {
        // What a futex design must prevent: a waiter pinned on a frame that is
        // still COW-shared. The copy leaves the pinned frame with the other side.
        var (parent, child, frame) = Forked(11);
        M.Frames.Pin(frame);   // a waiter of the parent
        SimulatedCpu.Write(M, parent, Data, 33);
        parent.Table.GetEntry(At(Data), out PageTableEntry pte);
        Assert.NotEqual(frame, pte.Frame);   // the parent no longer maps its waiter's frame
        child.Table.GetEntry(At(Data), out PageTableEntry childPte);
        Assert.Equal(frame, childPte.Frame);
        M.Frames.Unpin(frame);
        parent.Destroy();
        child.Destroy();
    }
}
