using Sticky.Mm;
using Xunit;
using static Sticky.Tests.Mm.ForkHelpers;
using Space = Sticky.Mm.AddressSpace<Sticky.Tests.Mm.SimulatedMemory, Sticky.Tests.Mm.RecordingTlb>;

namespace Sticky.Tests.Mm;

// AddressSpace.Fork without pinned pages: lazy copy-on-write of private memory,
// MAP_SHARED regions stay shared.
public unsafe class ForkTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong Data = 0x40_0000;

    private Space ParentWithData(ulong pages = 4, Protection p = Protection.ReadWrite)
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Data), pages * Page, p));
        return s;
    }

    [Fact]
    public void Fork_SharesEachPresentPrivatePage_ReadOnlyAndCowInBoth()
    {
        var parent = ParentWithData();
        Poke(M, parent, Data, 1);
        Poke(M, parent, Data + 2 * Page, 3);
        FrameNumber f0 = FrameAt(parent, Data), f2 = FrameAt(parent, Data + 2 * Page);
        M.TlbLog.Clear();

        var child = Fork(parent);

        Assert.Equal(2UL, child.CountPresentPages());
        Assert.Equal(1, child.RegionCount);
        Assert.Equal((Data, Data + 4 * Page, Protection.ReadWrite),
                     (child.RegionAt(0).Start.Value, child.RegionAt(0).End.Value, child.RegionAt(0).Protection));
        foreach (ulong va in new[] { Data, Data + 2 * Page })
        {
            PageTableEntry p = Pte(parent, va), c = Pte(child, va);
            Assert.Equal(p.Frame, c.Frame);
            Assert.Equal(2u, M.Frames.RefCountOf(p.Frame));
            foreach (PageTableEntry e in new[] { p, c })
            {
                Assert.True(e.IsCow);
                Assert.False(e.IsWritable);
                Assert.True(e.IsUser);
                Assert.True(e.Has(PageFlags.NoExecute));
            }
            Assert.True(M.TlbLog.Invalidated(va));   // the parent's writable translation is gone
        }
        Assert.Equal((f0, f2), (FrameAt(child, Data), FrameAt(child, Data + 2 * Page)));
        Assert.False(Pte(child, Data + Page).IsPresent);
        Assert.Equal(2UL, M.Frames.SharedFrames);
        Assert.Equal(1, Peek(M, child, Data));
        Assert.Equal(3, Peek(M, child, Data + 2 * Page));
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void Fork_GivesTheChildItsOwnPageTables_AndTheParentsKernelHalf()
    {
        var template = M.NewPageTable();
        FrameNumber kernelPdpt = M.Allocate();
        var templateRoot = (PageTableEntry*)M.Ram.Map(template.Root.Address);
        templateRoot[511] = new PageTableEntry(kernelPdpt, PageFlags.Present | PageFlags.Writable);
        var parent = M.NewSpace(template.Root);
        parent.AddRegion(At(Data), Page, Protection.ReadWrite);
        Poke(M, parent, Data, 1);

        var child = Fork(parent);

        Assert.NotEqual(parent.Root, child.Root);
        PageWalk p = parent.Table.Walk(At(Data)), c = child.Table.Walk(At(Data));
        for (int level = Paging.LevelCount; level > 1; level--)
            Assert.NotEqual(p.Entry(level).Frame, c.Entry(level).Frame);
        var childRoot = (PageTableEntry*)M.Ram.Map(child.Root.Address);
        for (int i = Paging.FirstKernelPml4Entry; i < Paging.EntriesPerTable; i++)
            Assert.Equal(templateRoot[i].Raw, childRoot[i].Raw);
        parent.Destroy();
        child.Destroy();
        Assert.Equal(FrameState.Used, M.Frames.StateOf(kernelPdpt));   // the kernel half is never freed by a space
        templateRoot[511] = default;
        M.Frames.Free(kernelPdpt);
        template.Destroy();
    }

    [Fact]
    public void ChildWrite_CopiesThePage_AndTheParentKeepsItsData()
    {
        var parent = ParentWithData();
        Poke(M, parent, Data + 5, 11);
        FrameNumber original = FrameAt(parent, Data);
        var child = Fork(parent);

        Poke(M, child, Data + 5, 22);

        Assert.NotEqual(original, FrameAt(child, Data));
        Assert.Equal(original, FrameAt(parent, Data));
        Assert.Equal(1u, M.Frames.RefCountOf(original));
        Assert.True(Pte(child, Data).IsWritable);
        Assert.False(Pte(child, Data).IsCow);
        Assert.Equal((11, 22), (Peek(M, parent, Data + 5), Peek(M, child, Data + 5)));
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void ParentWrite_MovesTheParent_AndTheChildKeepsTheOldFrame()
    {
        var parent = ParentWithData();
        Poke(M, parent, Data, 11);
        FrameNumber original = FrameAt(parent, Data);
        var child = Fork(parent);

        Poke(M, parent, Data, 33);

        Assert.NotEqual(original, FrameAt(parent, Data));   // the writer moves (the 2002 futex bug's root)
        Assert.Equal(original, FrameAt(child, Data));
        Assert.Equal((33, 11), (Peek(M, parent, Data), Peek(M, child, Data)));
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void SecondWriter_IsTheLastOwner_AndReusesTheFrameInPlace()
    {
        var parent = ParentWithData();
        Poke(M, parent, Data, 11);
        FrameNumber original = FrameAt(parent, Data);
        var child = Fork(parent);
        Poke(M, child, Data, 22);
        ulong used = M.Frames.UsedFrames;

        Poke(M, parent, Data, 33);

        Assert.Equal(used, M.Frames.UsedFrames);
        Assert.Equal(original, FrameAt(parent, Data));
        Assert.True(Pte(parent, Data).IsWritable);
        Assert.False(Pte(parent, Data).IsCow);
        Assert.Equal(0UL, M.Frames.SharedFrames);
        parent.Destroy();
        child.Destroy();
    }

    // Every order in which three generations write one page: each ends with its
    // own value, and the last writer keeps the original frame.
    [Theory]
    [InlineData(0, 1, 2)] [InlineData(0, 2, 1)] [InlineData(1, 0, 2)]
    [InlineData(1, 2, 0)] [InlineData(2, 0, 1)] [InlineData(2, 1, 0)]
    public void ThreeGenerations_WritingTheSamePage_EachGetTheirOwn(int first, int second, int third)
    {
        var parent = ParentWithData();
        Poke(M, parent, Data, 100);
        Poke(M, parent, Data + Page, 101);
        FrameNumber original = FrameAt(parent, Data);
        var child = Fork(parent);
        var grandchild = Fork(child);
        Space[] gen = { parent, child, grandchild };
        Assert.Equal(3u, M.Frames.RefCountOf(original));
        foreach (Space s in gen) Assert.True(Pte(s, Data).IsCow);

        foreach (int g in new[] { first, second, third }) Poke(M, gen[g], Data, (byte)(g + 1));

        for (int g = 0; g < 3; g++)
        {
            Assert.Equal(g + 1, Peek(M, gen[g], Data));
            Assert.Equal(101, Peek(M, gen[g], Data + Page));   // the page nobody wrote is still shared
            Assert.False(Pte(gen[g], Data).IsCow);
        }
        Assert.Equal(original, FrameAt(gen[third], Data));
        Assert.Equal(3u, M.Frames.RefCountOf(FrameAt(parent, Data + Page)));
        foreach (Space s in gen) s.Destroy();
        M.AssertNoLeaks();
    }

    [Fact]
    public void ForkOfAChildThatCopied_SharesTheChildsFrame_NotTheParents()
    {
        var parent = ParentWithData();
        Poke(M, parent, Data, 1);
        FrameNumber original = FrameAt(parent, Data);
        var child = Fork(parent);
        Poke(M, child, Data, 2);
        FrameNumber childs = FrameAt(child, Data);
        var grandchild = Fork(child);

        Assert.Equal(1u, M.Frames.RefCountOf(original));
        Assert.Equal(2u, M.Frames.RefCountOf(childs));
        Assert.Equal(childs, FrameAt(grandchild, Data));
        Assert.True(Pte(child, Data).IsCow);
        // The parent's PTE is still Cow but it is the sole owner: its write reuses.
        Assert.True(Pte(parent, Data).IsCow);
        Poke(M, parent, Data, 3);
        Assert.Equal(original, FrameAt(parent, Data));
        Poke(M, grandchild, Data, 4);
        Assert.Equal((3, 2, 4), (Peek(M, parent, Data), Peek(M, child, Data), Peek(M, grandchild, Data)));
        parent.Destroy();
        child.Destroy();
        grandchild.Destroy();
    }

    [Fact]
    public void SharedRegion_StaysSharedAndWritable_InBoth()
    {
        var shm = new SharedMemoryObject(2);
        var parent = M.NewSpace();
        Assert.Equal(RegionResult.Ok, parent.AddSharedRegion(At(Data), 2 * Page, Protection.ReadWrite, shm, 0));
        Poke(M, parent, Data, 5);
        FrameNumber frame = shm.FrameOf(0);
        Assert.Equal(2u, shm.RefCount);

        var child = Fork(parent);

        Assert.Equal(3u, shm.RefCount);                  // the child's region holds its own reference
        Assert.Equal(3u, M.Frames.RefCountOf(frame));     // the object and two PTEs
        foreach (Space s in new[] { parent, child })
        {
            Assert.Equal(frame, FrameAt(s, Data));
            Assert.True(Pte(s, Data).IsWritable);
            Assert.False(Pte(s, Data).IsCow);
        }
        ulong used = M.Frames.UsedFrames;
        Poke(M, child, Data, 6);
        Assert.Equal(6, Peek(M, parent, Data));
        Poke(M, parent, Data + Page, 7);                  // committed after fork: still one frame for both
        Assert.Equal(7, Peek(M, child, Data + Page));
        Assert.Equal(shm.FrameOf(1), FrameAt(child, Data + Page));
        Assert.Equal(used + 1, M.Frames.UsedFrames);     // one commit, no copy
        parent.Destroy();
        child.Destroy();
        Assert.Equal(1u, shm.RefCount);
        shm.Release(M.Frames);
    }

    [Fact]
    public void ReadOnlyPrivatePage_BecomesCowToo_SoMprotectThenWriteCopies()
    {
        var parent = ParentWithData();
        Poke(M, parent, Data, 9);
        Assert.Equal(RegionResult.Ok, parent.ProtectRange(At(Data), 4 * Page, Protection.Read));
        FrameNumber original = FrameAt(parent, Data);

        var child = Fork(parent);

        foreach (Space s in new[] { parent, child })
        {
            Assert.True(Pte(s, Data).IsCow);
            Assert.False(Pte(s, Data).IsWritable);
            Assert.Equal(FaultVerdict.AccessViolation, SimulatedCpu.Write(M, s, Data, 1));
        }
        Assert.Equal(RegionResult.Ok, child.ProtectRange(At(Data), Page, Protection.ReadWrite));
        Poke(M, child, Data, 10);
        Assert.NotEqual(original, FrameAt(child, Data));
        Assert.Equal(9, Peek(M, parent, Data));
        Assert.Equal(1u, M.Frames.RefCountOf(original));
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void ProtNonePrivatePage_ForksAsCow_AndKeepsItsContents()
    {
        var parent = ParentWithData();
        Poke(M, parent, Data, 9);
        parent.ProtectRange(At(Data), Page, Protection.None);
        var child = Fork(parent);
        Assert.True(Pte(child, Data).IsCow);
        Assert.False(Pte(child, Data).IsUser);
        Assert.Equal(FaultVerdict.AccessViolation, SimulatedCpu.Read(M, child, Data, out _));
        child.ProtectRange(At(Data), Page, Protection.ReadWrite);
        Assert.Equal(9, Peek(M, child, Data));
        Poke(M, child, Data, 10);
        parent.ProtectRange(At(Data), Page, Protection.Read);
        Assert.Equal(9, Peek(M, parent, Data));
        parent.Destroy();
        child.Destroy();
    }

    [Fact]
    public void Fork_OfAnEmptySpace_AndOfRegionsWithNoPages()
    {
        var empty = M.NewSpace();
        var c1 = Fork(empty);
        Assert.Equal(0, c1.RegionCount);
        var parent = ParentWithData();
        var c2 = Fork(parent);
        Assert.Equal(0UL, c2.CountPresentPages());
        Poke(M, c2, Data, 1);                             // demand-zero in the child alone
        Assert.False(Pte(parent, Data).IsPresent);
        foreach (Space s in new[] { empty, c1, parent, c2 }) s.Destroy();
    }

    [Fact]
    public void Fork_CopiesManyRegions_WithAndWithoutPages()
    {
        var parent = M.NewSpace();
        for (ulong i = 1; i <= 20; i++) parent.AddRegion(At(i * 0x10_0000), 2 * Page, i % 3 == 0 ? Protection.Read : Protection.ReadWrite);
        for (ulong i = 1; i <= 20; i++) if (i % 3 != 0) Poke(M, parent, i * 0x10_0000 + Page, (byte)i);
        var child = Fork(parent);
        Assert.Equal(parent.RegionCount, child.RegionCount);
        for (int i = 0; i < parent.RegionCount; i++) Assert.Equal(parent.RegionAt(i), child.RegionAt(i));
        Assert.Equal(parent.CountPresentPages(), child.CountPresentPages());
        for (ulong i = 1; i <= 20; i++) if (i % 3 != 0) Assert.Equal((byte)i, Peek(M, child, i * 0x10_0000 + Page));
        parent.Destroy();
        child.Destroy();
    }
}
