using System;
using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

public unsafe class PageTableTests : MemoryTest
{
    private static readonly VirtualAddress Va = new(0x0000_1234_5678_9000);
    private const PageFlags UserRw = PageFlags.User | PageFlags.Writable;

    [Fact]
    public void Map_ThenTranslate_GivesFramePlusOffset()
    {
        var pt = M.NewPageTable();
        FrameNumber f = M.Allocate();
        Assert.Equal(MapResult.Mapped, pt.Map(Va, f, UserRw));
        Assert.True(pt.Translate(Va + 0x123, out PhysicalAddress pa, out PageFlags flags));
        Assert.Equal(f.Address.Value + 0x123, pa.Value);
        Assert.Equal(PageFlags.Present | PageFlags.User | PageFlags.Writable, flags);
        pt.Destroy();
    }

    [Fact]
    public void Map_BuildsThreeIntermediateTables_ThenReusesThem()
    {
        var pt = M.NewPageTable();
        ulong before = M.Frames.UsedFrames;
        Assert.Equal(MapResult.Mapped, pt.Map(Va, M.Allocate(), UserRw));
        Assert.Equal(before + 1 + 3, M.Frames.UsedFrames);   // the page + PDPT, PD, PT
        Assert.Equal(MapResult.Mapped, pt.Map(Va + Paging.PageSize, M.Allocate(), UserRw));
        Assert.Equal(before + 2 + 3, M.Frames.UsedFrames);   // same PT
        pt.Destroy();
    }

    [Fact]
    public void IntermediateEntries_ArePresentWritableUser_SoTheLeafDecides()
    {
        var pt = M.NewPageTable();
        pt.Map(Va, M.Allocate(), PageFlags.User);   // read-only leaf
        PageWalk w = pt.Walk(Va);
        for (int level = 4; level >= 2; level--)
        {
            PageTableEntry e = w.Entry(level);
            Assert.True(e.IsPresent && e.IsWritable && e.IsUser, "level " + level);
            Assert.True(e.IsExecutable);
        }
        Assert.Equal(1, w.LowestLevel);
        Assert.False(w.Effective.HasFlag(PageFlags.Writable));
        pt.Destroy();
    }

    [Fact]
    public void NewTables_AreZeroed()
    {
        var pt = M.NewPageTable();   // RAM starts as junk; a junk entry would read as present
        Assert.False(pt.Translate(Va, out _, out _));
        Assert.False(pt.Walk(new VirtualAddress(0x7000_0000_0000)).IsMapped);
        pt.Map(Va, M.Allocate(), UserRw);
        Assert.False(pt.Translate(Va + Paging.PageSize, out _, out _));
        pt.Destroy();
    }

    [Fact]
    public void Map_OverAPresentPage_ReportsAlreadyMapped()
    {
        var pt = M.NewPageTable();
        FrameNumber f = M.Allocate(), g = M.Allocate();
        Assert.Equal(MapResult.Mapped, pt.Map(Va, f, UserRw, out PageTableEntry written));
        Assert.Equal(new PageTableEntry(f, UserRw | PageFlags.Present), written);
        Assert.Equal(MapResult.AlreadyMapped, pt.Map(Va, g, PageFlags.User, out PageTableEntry existing));
        Assert.Equal(written, existing);   // what is there, not what was asked for
        Assert.True(pt.Translate(Va, out PhysicalAddress pa, out _));
        Assert.Equal(f.Address, pa);
        M.Frames.Free(g);
        pt.Destroy();
    }

    [Fact]
    public void EnsureTables_BuildsThePath_MapsNothing_AndMapThenAllocatesNoTable()
    {
        var pt = M.NewPageTable();
        var hog = M.Exhaust(leave: 2);   // three tables are needed
        ulong free = M.Frames.FreeFrames;
        Assert.False(pt.EnsureTables(Va));
        Assert.Equal(free, M.Frames.FreeFrames);
        Assert.False(pt.Walk(Va).Level4.IsPresent);   // no half-built path
        M.FreeAll(hog);

        ulong used = M.Frames.UsedFrames;
        Assert.True(pt.EnsureTables(Va));
        Assert.Equal(used + 3, M.Frames.UsedFrames);   // PDPT, PD, PT
        PageWalk w = pt.Walk(Va);
        Assert.Equal(1, w.LowestLevel);
        Assert.False(w.IsMapped);
        Assert.True(pt.EnsureTables(Va + Paging.PageSize));   // already there: nothing more
        Assert.Equal(used + 3, M.Frames.UsedFrames);
        Assert.Equal(MapResult.Mapped, pt.Map(Va, M.Allocate(), UserRw));
        Assert.Equal(used + 4, M.Frames.UsedFrames);
        pt.Destroy();
    }

    [Fact]
    public void Unmap_ReturnsFrame_AndInvalidatesTlb()
    {
        var pt = M.NewPageTable();
        FrameNumber f = M.Allocate();
        pt.Map(Va, f, UserRw);
        M.TlbLog.Clear();
        Assert.True(pt.Unmap(Va, out FrameNumber got));
        Assert.Equal(f, got);
        Assert.Equal(new[] { new TlbEvent(TlbOp.InvalidatePage, Va.Value) }, M.TlbLog.Events);
        Assert.False(pt.Translate(Va, out _, out _));
        Assert.False(pt.Unmap(Va, out _));
        M.Frames.Free(got);
        pt.Destroy();
    }

    [Fact]
    public void Protect_ChangesFlags_KeepsFrameAndDirtyBit_AndInvalidates()
    {
        var pt = M.NewPageTable();
        FrameNumber f = M.Allocate();
        pt.Map(Va, f, UserRw | PageFlags.Dirty);
        M.TlbLog.Clear();
        Assert.True(pt.Protect(Va, PageFlags.User | PageFlags.NoExecute, out PageTableEntry written));
        Assert.True(pt.GetEntry(Va, out PageTableEntry e));
        Assert.Equal(e, written);
        Assert.Equal(f, e.Frame);
        Assert.False(e.IsWritable);
        Assert.False(e.IsExecutable);
        Assert.True(e.Has(PageFlags.Dirty));
        Assert.True(M.TlbLog.Invalidated(Va.Value));
        Assert.False(pt.Protect(Va + Paging.PageSize, PageFlags.User));
        pt.Destroy();
    }

    [Fact]
    public void Remap_SwapsFrame_AndInvalidates()
    {
        var pt = M.NewPageTable();
        FrameNumber f = M.Allocate(), g = M.Allocate();
        pt.Map(Va, f, PageFlags.User);
        M.TlbLog.Clear();
        Assert.True(pt.Remap(Va, g, UserRw, out FrameNumber old, out PageTableEntry written));
        Assert.Equal(new PageTableEntry(g, UserRw | PageFlags.Present), written);
        Assert.Equal(f, old);
        Assert.True(pt.Translate(Va, out PhysicalAddress pa, out PageFlags flags));
        Assert.Equal(g.Address, pa);
        Assert.True(flags.HasFlag(PageFlags.Writable));
        Assert.True(M.TlbLog.Invalidated(Va.Value));
        M.Frames.Free(old);
        pt.Destroy();
    }

    [Fact]
    public void OutOfMemoryDuringMap_LeavesNothingBehind()
    {
        var pt = M.NewPageTable();
        FrameNumber page = M.Allocate();
        var hog = M.Exhaust(leave: 2);   // three tables are needed, two are left
        ulong free = M.Frames.FreeFrames;
        Assert.Equal(MapResult.OutOfMemory, pt.Map(Va, page, UserRw));
        Assert.Equal(free, M.Frames.FreeFrames);
        Assert.False(pt.Walk(Va).Level4.IsPresent);   // no half-built path
        M.FreeAll(hog);
        Assert.Equal(MapResult.Mapped, pt.Map(Va, page, UserRw));
        pt.Destroy();
    }

    [Fact]
    public void Destroy_ReturnsEveryFrame_IncludingTablesAndMappedPages()
    {
        var pt = M.NewPageTable();
        // Spread over two PML4 entries, several PDs and PTs.
        ulong[] addresses = { 0x10000, 0x11000, 0x4000_0000, 0x0000_0080_0000_0000, 0x0000_7FFF_FFFF_E000 };
        foreach (ulong a in addresses) Assert.Equal(MapResult.Mapped, pt.Map(new VirtualAddress(a), M.Allocate(), UserRw));
        Assert.True(M.Frames.UsedFrames > (ulong)addresses.Length);
        pt.Destroy();
        Assert.True(pt.Root.IsNone);
        // MemoryTest checks FreeFrames == baseline.
    }

    [Fact]
    public void Destroy_ReleasesOneReferencePerMapping()
    {
        var pt = M.NewPageTable();
        FrameNumber shared = M.Allocate();
        M.Frames.AddRef(shared);   // mapped twice: each mapping owns a reference
        pt.Map(Va, shared, UserRw);
        pt.Map(Va + Paging.PageSize, shared, UserRw);
        pt.Destroy();
        Assert.Equal(FrameState.Free, M.Frames.StateOf(shared));
    }

    [Fact]
    public void Walk_FollowsHugePages()
    {
        var pt = M.NewPageTable();
        // Hand-build a 2 MiB kernel mapping at 0xFFFF_8000_0020_0000 -> 0x4000_0000.
        var kva = new VirtualAddress(0xFFFF_8000_0020_0000);
        FrameNumber pdpt = M.Allocate(), pd = M.Allocate();
        PhysicalMemory.ZeroFrame(M.Ram, pdpt);
        PhysicalMemory.ZeroFrame(M.Ram, pd);
        Entries(pt.Root)[kva.TableIndex(4)] = new PageTableEntry(pdpt, PageFlags.Present | PageFlags.Writable);
        Entries(pdpt)[kva.TableIndex(3)] = new PageTableEntry(pd, PageFlags.Present | PageFlags.Writable);
        Entries(pd)[kva.TableIndex(2)] = new PageTableEntry(0x4000_0000 | (ulong)(PageFlags.Present | PageFlags.Huge | PageFlags.NoExecute));

        PageWalk w = pt.Walk(kva + 0x12345);
        Assert.True(w.IsMapped);
        Assert.Equal(2, w.LowestLevel);
        Assert.Equal(2UL << 20, w.MappingSize);
        Assert.Equal(0x4001_2345UL, w.Address.Value);
        Assert.True(w.Effective.HasFlag(PageFlags.NoExecute));
        Assert.False(w.Effective.HasFlag(PageFlags.Writable));   // the leaf forbids it
        // 4 KiB operations refuse to treat a huge page as a table.
        FrameNumber page = M.Allocate();
        Assert.Throws<InvalidOperationException>(() => pt.Map(kva + Paging.PageSize, page, PageFlags.Writable));
        M.Frames.Free(page);

        Entries(pt.Root)[kva.TableIndex(4)] = default;
        M.Frames.Free(pdpt);
        M.Frames.Free(pd);
        pt.Destroy();
    }

    [Fact]
    public void NextMapped_SkipsEmptyTables()
    {
        var pt = M.NewPageTable();
        var a = new VirtualAddress(0x20_0000);
        var b = new VirtualAddress(0x7F_0000_0000);
        pt.Map(a, M.Allocate(), UserRw);
        pt.Map(b, M.Allocate(), UserRw);
        var end = new VirtualAddress(Paging.UserEnd);
        Assert.True(pt.NextMapped(new VirtualAddress(0), end, out VirtualAddress page, out PageTableEntry e));
        Assert.Equal(a, page);
        Assert.True(e.IsPresent);
        Assert.True(pt.NextMapped(a + Paging.PageSize, end, out page, out _));
        Assert.Equal(b, page);
        Assert.False(pt.NextMapped(b + Paging.PageSize, end, out _, out _));
        Assert.False(pt.NextMapped(a + Paging.PageSize, b, out _, out _));   // the end is exclusive
        pt.Destroy();
    }

    [Fact]
    public void Misuse_IsABug()
    {
        var pt = M.NewPageTable();
        FrameNumber f = M.Allocate();
        Assert.Throws<ArgumentException>(() => pt.Map(new VirtualAddress(0x10001), f, UserRw));
        Assert.Throws<ArgumentException>(() => pt.Map(new VirtualAddress(0x0000_8000_0000_0000), f, PageFlags.Writable));
        Assert.Throws<InvalidOperationException>(() => pt.Map(new VirtualAddress(Paging.KernelStart), f, UserRw));
        M.Frames.Free(f);
        pt.Destroy();
    }

    [Fact]
    public void GlobalPages_OnlyInTheKernelHalf()
    {
        // A global translation outlives CR3 switches: in the user half it would
        // show one process's page to the next.
        var pt = M.NewPageTable();
        FrameNumber f = M.Allocate(), g = M.Allocate();
        Assert.Throws<InvalidOperationException>(() => pt.Map(Va, f, UserRw | PageFlags.Global));
        Assert.Equal(MapResult.Mapped, pt.Map(Va, f, UserRw));
        Assert.Throws<InvalidOperationException>(() => pt.Protect(Va, UserRw | PageFlags.Global));
        Assert.Throws<InvalidOperationException>(() => pt.Remap(Va, g, UserRw | PageFlags.Global, out _, out _));
        Assert.False(pt.Walk(Va).Level1.Has(PageFlags.Global));
        M.Frames.Free(g);
        pt.Destroy();
    }

    private PageTableEntry* Entries(FrameNumber table) => (PageTableEntry*)M.Ram.Map(table.Address);
}
