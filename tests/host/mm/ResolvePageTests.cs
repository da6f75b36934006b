using Sticky.Mm;
using Xunit;
using static Sticky.Tests.Mm.ForkHelpers;

namespace Sticky.Tests.Mm;

// AddressSpace.ResolvePage: the page made present as a user access would make
// it, and its frame (futex keys, ELF loading).
public unsafe class ResolvePageTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong Data = 0x40_0000;

    [Fact]
    public void Read_OfAnUntouchedPage_DemandZeroes_AndReturnsTheMappedFrame()
    {
        var s = M.NewSpace();
        s.AddRegion(At(Data), 2 * Page, Protection.ReadWrite);
        Assert.Equal(FaultVerdict.Handled, s.ResolvePage(At(Data + Page + 123), forWrite: false, out FrameNumber f));
        Assert.Equal(f, FrameAt(s, Data + Page));
        Assert.Equal(1u, M.Frames.RefCountOf(f));
        for (int i = 0; i < (int)Page; i++) Assert.Equal(0, M.Bytes(f)[i]);
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.Handled, s.ResolvePage(At(Data + Page), forWrite: true, out FrameNumber again));
        Assert.Equal((f, used), (again, M.Frames.UsedFrames));   // present and writable: nothing to do
        s.Destroy();
    }

    [Fact]
    public void Refusals_ReturnNoFrame_AndAllocateNothing()
    {
        var s = M.NewSpace();
        s.AddRegion(At(Data), Page, Protection.Read);
        s.AddRegion(At(Data + Page), Page, Protection.None);
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.AccessViolation, s.ResolvePage(At(Data), forWrite: true, out FrameNumber f));
        Assert.True(f.IsNone);
        Assert.Equal(FaultVerdict.AccessViolation, s.ResolvePage(At(Data + Page), forWrite: false, out f));
        Assert.True(f.IsNone);
        Assert.Equal(FaultVerdict.NoRegion, s.ResolvePage(At(Data + 2 * Page), forWrite: false, out f));
        Assert.True(f.IsNone);
        Assert.Equal(FaultVerdict.NoRegion, s.ResolvePage(At(0x8), forWrite: false, out _));
        Assert.Equal(FaultVerdict.NoRegion, s.ResolvePage(At(0xFFFF_8000_0000_0000), forWrite: false, out _));
        Assert.Equal(used, M.Frames.UsedFrames);
        Assert.Equal(FaultVerdict.Handled, s.ResolvePage(At(Data), forWrite: false, out f));   // reading is allowed
        s.Destroy();
    }

    [Fact]
    public void ForWrite_OnASharedCowPage_BreaksCow_AndReturnsTheCallersOwnCopy()
    {
        var parent = M.NewSpace();
        parent.AddRegion(At(Data), Page, Protection.ReadWrite);
        Poke(M, parent, Data, 42);
        FrameNumber original = FrameAt(parent, Data);
        var child = Fork(parent);

        Assert.Equal(FaultVerdict.Handled, child.ResolvePage(At(Data), forWrite: false, out FrameNumber read));
        Assert.Equal(original, read);                            // a read shares
        Assert.Equal(FaultVerdict.Handled, child.ResolvePage(At(Data), forWrite: true, out FrameNumber own));
        Assert.NotEqual(original, own);
        Assert.Equal(own, FrameAt(child, Data));
        Assert.Equal(42, M.Bytes(own)[0]);
        Assert.True(Pte(child, Data).IsWritable);

        // The parent is now the sole owner: the same call just makes it writable.
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.Handled, parent.ResolvePage(At(Data), forWrite: true, out FrameNumber kept));
        Assert.Equal((original, used), (kept, M.Frames.UsedFrames));
        Assert.False(Pte(parent, Data).IsCow);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void OwnFrame_OnAReadOnlyCowPage_CopiesIt_AndLeavesItReadOnly()
    {
        var parent = M.NewSpace();
        parent.AddRegion(At(Data), Page, Protection.ReadWrite);
        Poke(M, parent, Data, 42);
        Assert.Equal(RegionResult.Ok, parent.ProtectRange(At(Data), Page, Protection.Read));
        FrameNumber original = FrameAt(parent, Data);
        var child = Fork(parent);
        Assert.Equal(FaultVerdict.AccessViolation, parent.ResolvePage(At(Data), forWrite: true, out _));

        Assert.Equal(FaultVerdict.Handled, parent.ResolveOwnFrame(At(Data), out FrameNumber own));
        Assert.NotEqual(original, own);                          // the child keeps the original
        Assert.Equal(own, FrameAt(parent, Data));
        Assert.Equal(original, FrameAt(child, Data));
        Assert.Equal((1u, 1u), (M.Frames.RefCountOf(own), M.Frames.RefCountOf(original)));
        Assert.Equal(42, M.Bytes(own)[0]);
        PageTableEntry pte = Pte(parent, Data);
        Assert.False(pte.IsWritable);
        Assert.False(pte.IsCow);
        Assert.Equal(FaultVerdict.AccessViolation, parent.HandleFault(At(Data), isWrite: true, isUser: true, isExec: false));

        // Already its own: nothing changes, nothing is allocated.
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.Handled, parent.ResolveOwnFrame(At(Data), out FrameNumber again));
        Assert.Equal((own, used), (again, M.Frames.UsedFrames));
        // The child is now the original's sole owner: it keeps it, without a copy.
        Assert.Equal(FaultVerdict.Handled, child.ResolveOwnFrame(At(Data), out FrameNumber childOwn));
        Assert.Equal((original, used), (childOwn, M.Frames.UsedFrames));
        Assert.False(Pte(child, Data).IsWritable);
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void OwnFrame_OnAWritableCowPage_IsWhatAWriteLeaves()
    {
        var parent = M.NewSpace();
        parent.AddRegion(At(Data), Page, Protection.ReadWrite);
        Poke(M, parent, Data, 7);
        var a = Fork(parent);
        var b = Fork(parent);
        Assert.Equal(FaultVerdict.Handled, a.ResolvePage(At(Data), forWrite: true, out FrameNumber written));
        Assert.Equal(FaultVerdict.Handled, b.ResolveOwnFrame(At(Data), out FrameNumber own));
        Assert.NotEqual(FrameAt(parent, Data), own);
        Assert.Equal(Pte(a, Data).Flags, Pte(b, Data).Flags);
        Assert.NotEqual(written, own);
        parent.Destroy();
        a.Destroy();
        b.Destroy();
    }

    [Fact]
    public void OwnFrame_Refusals_AsForARead()
    {
        var s = M.NewSpace();
        s.AddRegion(At(Data), Page, Protection.None);
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.AccessViolation, s.ResolveOwnFrame(At(Data), out FrameNumber f));
        Assert.True(f.IsNone);
        Assert.Equal(FaultVerdict.NoRegion, s.ResolveOwnFrame(At(Data + Page), out f));
        Assert.True(f.IsNone);
        Assert.Equal(used, M.Frames.UsedFrames);
        s.Destroy();
    }

    [Fact]
    public void SharedRegion_ReturnsTheObjectsFrame()
    {
        var shm = new SharedMemoryObject(2);
        var s = M.NewSpace();
        s.AddSharedRegion(At(Data), Page, Protection.ReadWrite, shm, 1);
        Assert.Equal(FaultVerdict.Handled, s.ResolvePage(At(Data + 5), forWrite: true, out FrameNumber f));
        Assert.Equal(shm.FrameOf(1), f);
        Assert.Equal(2u, M.Frames.RefCountOf(f));
        s.Destroy();
        shm.Release(M.Frames);
    }

    [Fact]
    public void OutOfMemory_IsReported_WithNoFrame()
    {
        var s = M.NewSpace();
        s.AddRegion(At(Data), Page, Protection.ReadWrite);
        var hog = M.Exhaust();
        Assert.Equal(FaultVerdict.OutOfMemory, s.ResolvePage(At(Data), forWrite: false, out FrameNumber f));
        Assert.True(f.IsNone);
        M.FreeAll(hog);
        s.Destroy();
    }

    [Fact]
    public void ResolvePage_AndAWriteFault_LeaveTheSameState()
    {
        // One path: the CPU's write fault and ResolvePage(forWrite) on twin forks.
        var parent = M.NewSpace();
        parent.AddRegion(At(Data), 2 * Page, Protection.ReadWrite);
        Poke(M, parent, Data, 1);
        var a = Fork(parent);
        var b = Fork(parent);
        Assert.Equal(FaultVerdict.Handled, a.HandleFault(At(Data), isWrite: true, isUser: true, isExec: false));
        Assert.Equal(FaultVerdict.Handled, b.ResolvePage(At(Data), forWrite: true, out _));
        Assert.Equal(FaultVerdict.Handled, a.HandleFault(At(Data + Page), isWrite: true, isUser: true, isExec: false));
        Assert.Equal(FaultVerdict.Handled, b.ResolvePage(At(Data + Page), forWrite: true, out _));
        foreach (ulong va in new[] { Data, Data + Page })
            Assert.Equal(Pte(a, va).Flags, Pte(b, va).Flags);
        parent.Destroy();
        a.Destroy();
        b.Destroy();
    }
}
