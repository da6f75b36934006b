using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Mm;

// A simulated machine for mm tests: RAM, a TLB log and a frame table built the
// way the kernel builds it, with its metadata carved out of that RAM.
public sealed unsafe class Machine : IDisposable
{
    // RAM starts out as junk, not zeroes, so a test notices memory that mm code
    // should have zeroed and did not.
    public const byte Junk = 0xA5;

    public readonly SimulatedMemory Ram;
    public readonly TlbLog TlbLog = new();
    public readonly RecordingTlb Tlb;
    public readonly FrameTable Frames;
    public readonly PhysicalAddress MetadataAt;
    // Free frames once the machine is built: every test must return to it.
    public readonly ulong Baseline;

    public Machine(ulong frames = 256, PhysicalRange[] usable = null, PhysicalRange[] reserved = null)
    {
        ulong bytes = frames * Paging.PageSize;
        byte* ram = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, (nuint)Paging.PageSize);
        new Span<byte>(ram, (int)bytes).Fill(Junk);
        Ram = new SimulatedMemory(ram, bytes);
        Tlb = new RecordingTlb(TlbLog);

        usable ??= new[] { new PhysicalRange(0, bytes) };
        reserved ??= Array.Empty<PhysicalRange>();
        fixed (PhysicalRange* u = usable)
        fixed (PhysicalRange* r = reserved)
        {
            ulong count = FrameTableLayout.FrameCountFor(u, usable.Length);
            ulong metaBytes = FrameTableLayout.MetadataBytes(count);
            Assert.True(FrameTableLayout.FindPlace(u, usable.Length, r, reserved.Length, metaBytes, out MetadataAt));
            Frames = new FrameTable((FrameInfo*)Ram.Map(MetadataAt), MetadataAt, count, u, usable.Length, r, reserved.Length);
        }
        Baseline = Frames.FreeFrames;
    }

    public void Dispose() => NativeMemory.AlignedFree(Ram.Base);

    public byte* Bytes(FrameNumber frame) => Ram.Map(frame.Address);

    public PageTable<SimulatedMemory, RecordingTlb> NewPageTable(FrameNumber kernelTemplate = default)
    {
        Assert.True(PageTable<SimulatedMemory, RecordingTlb>.TryCreate(Ram, Tlb, Frames,
            kernelTemplate == default ? FrameNumber.None : kernelTemplate, out var table));
        return table;
    }

    public AddressSpace<SimulatedMemory, RecordingTlb> NewSpace(FrameNumber kernelTemplate = default)
    {
        var space = AddressSpace<SimulatedMemory, RecordingTlb>.Create(Ram, Tlb, Frames,
            kernelTemplate == default ? FrameNumber.None : kernelTemplate);
        Assert.NotNull(space);
        return space;
    }

    public FrameNumber Allocate()
    {
        Assert.True(Frames.TryAllocate(out FrameNumber f));
        return f;
    }

    // Takes all free frames but `leave`; give them back with FreeAll.
    public List<FrameNumber> Exhaust(ulong leave = 0)
    {
        var taken = new List<FrameNumber>();
        while (Frames.FreeFrames > leave) taken.Add(Allocate());
        return taken;
    }

    public void FreeAll(List<FrameNumber> frames)
    {
        foreach (var f in frames) Frames.Free(f);
        frames.Clear();
    }

    // What xv6's usertests check with countfree(): nothing leaked, nothing left pinned or shared.
    public void AssertNoLeaks()
    {
        Assert.Equal(Baseline, Frames.FreeFrames);
        Assert.Equal(0UL, Frames.UsedFrames);
        Assert.Equal(0UL, Frames.PinnedFrames);
        Assert.Equal(0UL, Frames.SharedFrames);
    }
}

// Base class of mm tests: a fresh Machine per test, checked for leaks after it.
public abstract class MemoryTest : IDisposable
{
    protected readonly Machine M;
    // For the few tests that build a machine of their own or leak on purpose.
    protected bool SkipLeakCheck;

    protected MemoryTest() : this(256) { }
    protected MemoryTest(ulong frames) { M = new Machine(frames); }

    public void Dispose()
    {
        try { if (!SkipLeakCheck) M.AssertNoLeaks(); }
        finally { M.Dispose(); }
    }
}
