using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

// The kernel half of every address space comes from one template PML4.
public unsafe class KernelHalfTests : MemoryTest
{
    public KernelHalfTests() : base(1024) { }   // the template alone takes 257 frames

    [Fact]
    public void KernelHalf_IsCopiedFromTemplate_AndNeverFreedByAnAddressSpace()
    {
        var template = M.NewPageTable();
        Assert.True(template.PreallocateKernelHalf());
        Assert.Equal(1UL + 256, M.Frames.UsedFrames);
        var kva = new VirtualAddress(0xFFFF_FFFF_8000_0000);
        FrameNumber kernelPage = M.Allocate();
        Assert.Equal(MapResult.Mapped, template.Map(kva, kernelPage, PageFlags.Writable | PageFlags.Global));

        var pt = M.NewPageTable(template.Root);
        Assert.True(pt.Translate(kva, out PhysicalAddress pa, out PageFlags flags));
        Assert.Equal(kernelPage.Address, pa);
        Assert.False(flags.HasFlag(PageFlags.User));
        // Mapped through the template after the copy, and still visible: the PDPTs are shared.
        var kva2 = new VirtualAddress(0xFFFF_C000_0000_0000);
        FrameNumber late = M.Allocate();
        template.Map(kva2, late, PageFlags.Writable);
        Assert.True(pt.Translate(kva2, out _, out _));

        ulong used = M.Frames.UsedFrames;
        pt.Destroy();
        Assert.Equal(used - 1, M.Frames.UsedFrames);   // only its PML4
        Assert.True(template.Translate(kva, out _, out _));

        // Tear the template down by hand (the kernel never does).
        Assert.True(template.Unmap(kva, out _));
        Assert.True(template.Unmap(kva2, out _));
        M.Frames.Free(kernelPage);
        M.Frames.Free(late);
        FreeKernelHalf(template);
        template.Destroy();
    }

    private PageTableEntry* Entries(FrameNumber table) => (PageTableEntry*)M.Ram.Map(table.Address);

    private void FreeKernelHalf(PageTable<SimulatedMemory, RecordingTlb> template)
    {
        PageTableEntry* pml4 = Entries(template.Root);
        for (int i = Paging.FirstKernelPml4Entry; i < Paging.EntriesPerTable; i++)
        {
            if (!pml4[i].IsPresent) continue;
            FreeTree(pml4[i].Frame, 3);
            pml4[i] = default;
        }
    }

    private void FreeTree(FrameNumber table, int level)
    {
        if (level > 1)
            for (int i = 0; i < Paging.EntriesPerTable; i++)
                if (Entries(table)[i].IsPresent) FreeTree(Entries(table)[i].Frame, level - 1);
        M.Frames.Free(table);
    }
}
