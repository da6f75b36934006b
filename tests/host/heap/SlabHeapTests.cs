using System;
using System.Runtime.InteropServices;
using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Heap;

// A page source over host memory that counts what is outstanding.
public unsafe struct HostPages : IPageSource
{
    public static long Outstanding;
    public static long Limit = long.MaxValue;

    public byte* AllocatePages(int count)
    {
        if (Outstanding + count > Limit) return null;
        Outstanding += count;
        return (byte*)NativeMemory.AlignedAlloc((nuint)(count * 4096), 4096) is var p && p != null
            ? Zero(p, count) : null;
    }

    private static byte* Zero(void* p, int count) { NativeMemory.Clear(p, (nuint)(count * 4096)); return (byte*)p; }

    public void FreePages(byte* pages, int count)
    {
        Outstanding -= count;
        NativeMemory.AlignedFree(pages);
    }
}

[Collection("HostPages")]   // HostPages counters are static: keep these tests serial
public unsafe class SlabHeapTests
{
    public SlabHeapTests() { HostPages.Outstanding = 0; HostPages.Limit = long.MaxValue; }

    private static SlabHeap<HostPages> NewHeap() => new SlabHeap<HostPages>(default);

    [Fact]
    public void Allocate_ReturnsZeroedAlignedDistinctBlocks()
    {
        var heap = NewHeap();
        byte* a = (byte*)heap.Allocate(24), b = (byte*)heap.Allocate(24);
        Assert.NotEqual((ulong)a, (ulong)b);
        Assert.Equal(0UL, (ulong)a % 16);
        for (int i = 0; i < 24; i++) Assert.Equal(0, a[i]);
        a[0] = 0xAA;
        heap.Free(a);
        byte* c = (byte*)heap.Allocate(24);
        for (int i = 0; i < 24; i++) Assert.Equal(0, c[i]);   // reused block comes back zeroed
    }

    // The kernel's per-thread FPU area (Fpu.StateSize, 576 bytes) must be
    // 64-byte aligned for XSAVE: so is every block of a class whose size is a
    // multiple of 64, since a slab's header is 64 bytes.
    [Fact]
    public void Blocks_OfClassesSizedInMultiplesOf64_Are64ByteAligned()
    {
        var heap = NewHeap();
        var blocks = new System.Collections.Generic.List<ulong>();
        for (int c = 0; c < SlabHeap<HostPages>.ClassCount; c++)
        {
            int size = SlabHeap<HostPages>.ClassSize(c);
            if (size % 64 != 0) continue;
            for (int i = 0; i < 4096 / size + 2; i++)
            {
                ulong p = (ulong)heap.Allocate((ulong)size);
                Assert.Equal(0UL, p % 64);
                blocks.Add(p);
            }
        }
        ulong fpu = (ulong)heap.Allocate(512 + 64);
        Assert.Equal(0UL, fpu % 64);
        blocks.Add(fpu);
        foreach (ulong p in blocks) heap.Free((void*)p);
    }

    [Fact]
    public void Free_OfEverything_ReturnsAllButOneCachedSlabPerClass()
    {
        var heap = NewHeap();
        var blocks = new ulong[1000];
        for (int i = 0; i < blocks.Length; i++) blocks[i] = (ulong)heap.Allocate(64);
        Assert.True(HostPages.Outstanding > 10);
        for (int i = 0; i < blocks.Length; i++) heap.Free((void*)blocks[i]);
        Assert.Equal(0, heap.BytesInUse);
        Assert.True(HostPages.Outstanding <= 1);
    }

    [Fact]
    public void LargeBlocks_UseWholePagesAndReturnThem()
    {
        var heap = NewHeap();
        byte* big = (byte*)heap.Allocate(10000);
        Assert.Equal(3, HostPages.Outstanding);
        Assert.True(heap.BlockSize(big) >= 10000);
        big[9999] = 1;
        heap.Free(big);
        Assert.Equal(0, HostPages.Outstanding);
    }

    [Fact]
    public void Churn_OfHundredThousandMixedObjects_StaysBounded()
    {
        var heap = NewHeap();
        const int Live = 512;
        var slots = new ulong[Live];
        var rng = new Random(42);
        long peakPages = 0;
        for (int i = 0; i < 100_000; i++)
        {
            int k = rng.Next(Live);
            if (slots[k] != 0) heap.Free((void*)slots[k]);
            int size = rng.Next(4) == 0 ? rng.Next(2048, 9000) : rng.Next(1, 700);
            slots[k] = (ulong)heap.Allocate((ulong)size);
            Assert.NotEqual(0UL, slots[k]);
            if (i > 10_000) peakPages = Math.Max(peakPages, HostPages.Outstanding);
        }
        // 512 live objects of at most 9000 bytes need at most ~3 pages each, plus partial slabs.
        Assert.True(peakPages < Live * 3 + 2 * SlabHeap<HostPages>.ClassCount * 8, $"heap grew to {peakPages} pages");
        for (int k = 0; k < Live; k++) heap.Free((void*)slots[k]);
        Assert.Equal(0, heap.BytesInUse);
        Assert.True(HostPages.Outstanding <= SlabHeap<HostPages>.ClassCount);
        Assert.Equal(heap.Allocations, heap.Frees);
    }

    [Fact]
    public void OutOfPages_ReturnsNull()
    {
        var heap = NewHeap();
        HostPages.Limit = 1;
        Assert.True(heap.Allocate(100) != null);
        Assert.True(heap.Allocate(5000) == null);
    }

    [Fact]
    public void Free_OfInteriorPointer_IsDetected()
    {
        var heap = NewHeap();
        byte* a = (byte*)heap.Allocate(64);
        Assert.Throws<InvalidOperationException>(() => heap.Free(a + 8));
    }
}
