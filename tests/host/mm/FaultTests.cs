using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

// AddressSpace.HandleFault: the guards and demand-zero paging.
public unsafe class FaultTests : MemoryTest
{
    private const ulong Page = Paging.PageSize;
    private const ulong Heap = 0x60_0000;
    private static VirtualAddress At(ulong a) => new(a);

    private AddressSpace<SimulatedMemory, RecordingTlb> SpaceWithHeap(Protection p = Protection.ReadWrite)
    {
        var s = M.NewSpace();
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Heap), 4 * Page, p));
        return s;
    }

    [Fact]
    public void DemandZero_PageReadsAsZero_ThoughRamHeldJunk()
    {
        var s = SpaceWithHeap();
        for (ulong off = 0; off < Page; off += 511)
        {
            Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Read(M, s, Heap + off, out byte b));
            Assert.Equal(0, b);
        }
        s.Destroy();
    }

    [Fact]
    public void DemandZero_LosingTheRaceToAnotherCpu_GivesBackItsFrame_AndKeepsTheWinners()
    {
        // Both CPUs saw the PTE not present; the other one maps its frame while
        // this one is zeroing a frame of its own, so Map finds the page taken.
        var race = new Race();
        var s = AddressSpace<RacingMemory, RecordingTlb>.Create(new RacingMemory(M.Ram, race), M.Tlb, M.Frames, FrameNumber.None);
        Assert.Equal(RegionResult.Ok, s.AddRegion(At(Heap), 4 * Page, Protection.ReadWrite));
        Assert.Equal(FaultVerdict.Handled, s.HandleFault(At(Heap), isWrite: true, isUser: true, isExec: false));
        PageWalk tables = s.Table.Walk(At(Heap));   // the page on the next fault shares these tables
        race.NotTheFreshFrame(s.Root, tables.Level4.Frame, tables.Level3.Frame, tables.Level2.Frame);

        FrameNumber winner = M.Allocate();
        M.Bytes(winner)[8] = 0x77;
        race.OtherCpu = () => Assert.Equal(MapResult.Mapped, s.Table.Map(At(Heap + Page), winner, s.RegionAt(0).LeafFlags));
        ulong used = M.Frames.UsedFrames;

        Assert.Equal(FaultVerdict.Handled, s.HandleFault(At(Heap + Page + 8), isWrite: true, isUser: true, isExec: false));

        Assert.True(race.Ran);
        Assert.Equal(used, M.Frames.UsedFrames);   // the frame this fault zeroed went back
        Assert.True(s.Table.GetEntry(At(Heap + Page), out PageTableEntry pte));
        Assert.Equal(winner, pte.Frame);
        Assert.Equal(0x77, M.Bytes(winner)[8]);     // and nothing zeroed over the winner's page
        s.Destroy();
    }

    [Fact]
    public void DemandZero_MapsWithTheRegionsProtection()
    {
        var s = SpaceWithHeap(Protection.Read);
        Assert.Equal(FaultVerdict.Handled, s.HandleFault(At(Heap), isWrite: false, isUser: true, isExec: false));
        Assert.True(s.Table.Translate(At(Heap), out _, out PageFlags flags));
        Assert.True(flags.HasFlag(PageFlags.User));
        Assert.False(flags.HasFlag(PageFlags.Writable));
        Assert.True(flags.HasFlag(PageFlags.NoExecute));
        s.Destroy();
    }

    [Fact]
    public void WriteToReadOnlyRegion_IsAnAccessViolation_AndAllocatesNothing()
    {
        var s = SpaceWithHeap(Protection.Read);
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.AccessViolation, s.HandleFault(At(Heap), isWrite: true, isUser: true, isExec: false));
        Assert.Equal(used, M.Frames.UsedFrames);
        // And once the page is present: a protection fault, still a violation.
        SimulatedCpu.Read(M, s, Heap, out _);
        Assert.Equal(FaultVerdict.AccessViolation, SimulatedCpu.Write(M, s, Heap, 1));
        s.Destroy();
    }

    [Fact]
    public void ExecuteFromNonExecutableRegion_IsAnAccessViolation()
    {
        var s = SpaceWithHeap(Protection.ReadWrite);
        Assert.Equal(FaultVerdict.AccessViolation, s.HandleFault(At(Heap), isWrite: false, isUser: true, isExec: true));
        s.Destroy();
    }

    [Fact]
    public void AddressOutsideEveryRegion_IsNoRegion()
    {
        var s = SpaceWithHeap();
        Assert.Equal(FaultVerdict.NoRegion, s.HandleFault(At(Heap + 4 * Page), true, true, false));
        Assert.Equal(FaultVerdict.NoRegion, s.HandleFault(At(0), false, true, false));
        Assert.Equal(FaultVerdict.NoRegion, s.HandleFault(At(0xFFFF_8000_0000_1000), false, false, false));
        s.Destroy();
    }

    [Fact]
    public void SpuriousFault_OnAnAlreadyGoodPage_IsHandledWithoutChange()
    {
        var s = SpaceWithHeap();
        SimulatedCpu.Write(M, s, Heap, 5);
        ulong used = M.Frames.UsedFrames;
        Assert.Equal(FaultVerdict.Handled, s.HandleFault(At(Heap), isWrite: true, isUser: true, isExec: false));
        Assert.Equal(used, M.Frames.UsedFrames);
        s.Destroy();
    }

    [Fact]
    public void KernelAccessToUserPage_FaultsItInToo()
    {
        // copy_to_user: a kernel-mode write to a user page not yet touched.
        var s = SpaceWithHeap();
        Assert.Equal(FaultVerdict.Handled, s.HandleFault(At(Heap), isWrite: true, isUser: false, isExec: false));
        Assert.True(s.Table.Translate(At(Heap), out _, out _));
        s.Destroy();
    }

    [Fact]
    public void OutOfMemory_DuringFault_ReportsIt_AndLeavesNothingBehind()
    {
        var s = SpaceWithHeap();
        var hog = M.Exhaust(leave: 2);   // the page plus PDPT, PD and PT would need 4
        ulong free = M.Frames.FreeFrames;
        Assert.Equal(FaultVerdict.OutOfMemory, s.HandleFault(At(Heap), true, true, false));
        Assert.Equal(free, M.Frames.FreeFrames);
        M.Frames.Free(hog[0]);
        M.Frames.Free(hog[1]);
        hog.RemoveRange(0, 2);
        Assert.Equal(FaultVerdict.Handled, s.HandleFault(At(Heap), true, true, false));
        Assert.Equal(FaultVerdict.OutOfMemory, s.HandleFault(At(Heap + Page), true, true, false));
        M.FreeAll(hog);
        s.Destroy();
    }

    [Fact]
    public void ReadThenWrite_SeesTheWrittenValue_OnTheSameFrame()
    {
        var s = SpaceWithHeap();
        SimulatedCpu.Write(M, s, Heap + 3 * Page + 9, 0x5A);
        Assert.True(s.Table.Translate(At(Heap + 3 * Page + 9), out PhysicalAddress pa, out _));
        Assert.Equal(0x5A, *M.Ram.Map(pa));
        Assert.Equal(FaultVerdict.Handled, SimulatedCpu.Read(M, s, Heap + 3 * Page + 9, out byte b));
        Assert.Equal(0x5A, b);
        s.Destroy();
    }
}

// Another CPU, for a test: OtherCpu runs once, at the first access mm code
// makes to a frame that is not one of the listed page tables (the fresh frame
// a demand-zero fault zeroes before mapping it).
public sealed class Race
{
    private readonly System.Collections.Generic.HashSet<FrameNumber> _tables = new();
    public System.Action OtherCpu;
    public bool Ran;

    public void NotTheFreshFrame(params FrameNumber[] tables) { foreach (var t in tables) _tables.Add(t); }

    public void Touch(PhysicalAddress address)
    {
        if (OtherCpu == null || Ran || _tables.Contains(address.Frame)) return;
        Ran = true;
        OtherCpu();
    }
}

public readonly unsafe struct RacingMemory : IPhysicalMemory
{
    private readonly SimulatedMemory _ram;
    private readonly Race _race;
    public RacingMemory(SimulatedMemory ram, Race race) { _ram = ram; _race = race; }

    public byte* Map(PhysicalAddress address)
    {
        _race.Touch(address);
        return _ram.Map(address);
    }
}
