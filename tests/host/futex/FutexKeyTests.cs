using System.Collections.Generic;
using Sticky.Futex;
using Sticky.Mm;
using Xunit;

namespace Sticky.Tests.Futex;

public class FutexKeyTests
{
    private static readonly FrameNumber Frame = new FrameNumber(0x1234);
    private const ulong Va = 0x4000_0ABC;
    private const ulong SpaceA = 1, SpaceB = 2;

    [Theory]
    [InlineData(FutexDesign.Sticky)]
    [InlineData(FutexDesign.NoSticky)]
    public void Private_PhysicalDesigns_KeyOnFrameAndOffset(FutexDesign design)
    {
        FutexKey k = FutexKeys.For(design, shared: false, privateOp: true, 0, 0, Frame, SpaceA, Va);
        Assert.Equal(FutexKeyKind.PrivatePhysical, k.Kind);
        Assert.Equal(0x1234UL, k.Word1);
        Assert.Equal(0xABCu, k.Offset);
        Assert.Equal(Frame, k.Frame);
    }

    [Fact]
    public void Private_VirtKey_KeysOnSpaceAndAddress_NotTheFrame()
    {
        FutexKey k = FutexKeys.For(FutexDesign.VirtKey, shared: false, privateOp: true, 0, 0, Frame, SpaceA, Va);
        Assert.Equal(FutexKeyKind.PrivateVirtual, k.Kind);
        Assert.Equal(SpaceA, k.Word1);
        Assert.Equal(0x4000_0000UL, k.Word2);
        Assert.Equal(0xABCu, k.Offset);
        Assert.True(k.Frame.IsNone);
        // the frame plays no part: a COW move does not change a virtual key
        Assert.True(k == FutexKeys.ForPrivate(FutexDesign.VirtKey, new FrameNumber(99), SpaceA, Va, privateOp: true));
        Assert.True(k == FutexKeys.ForPrivate(FutexDesign.VirtKey, FrameNumber.None, SpaceA, Va, privateOp: true));
    }

    [Theory]
    [InlineData(FutexDesign.Sticky)]
    [InlineData(FutexDesign.NoSticky)]
    [InlineData(FutexDesign.VirtKey)]
    public void Shared_PlainOp_IsObjectPageOffset_InEveryDesign_AtAnyAddress(FutexDesign design)
    {
        FutexKey inA = FutexKeys.For(design, shared: true, privateOp: false, 77, 3, Frame, SpaceA, 0x5000_0010);
        FutexKey inB = FutexKeys.For(design, shared: true, privateOp: false, 77, 3, new FrameNumber(5), SpaceB, 0x7000_0010);
        Assert.Equal(FutexKeyKind.Shared, inA.Kind);
        Assert.Equal(77UL, inA.Word1);
        Assert.Equal(3UL, inA.Word2);
        Assert.Equal(0x10u, inA.Offset);
        Assert.True(inA == inB);
        Assert.True(inA != FutexKeys.ForShared(77, 4, 0x5000_0010));
        Assert.True(inA != FutexKeys.ForShared(78, 3, 0x5000_0010));
        Assert.True(inA != FutexKeys.ForShared(77, 3, 0x5000_0014));
    }

    // After fork, parent and child map the same COW frame at the same address.
    [Fact]
    public void SameVaInTwoSpaces_NoSticky_SameKeyWhileFramesEqual_VirtKey_Different()
    {
        FutexKey parent = FutexKeys.ForPrivate(FutexDesign.NoSticky, Frame, SpaceA, Va, privateOp: true);
        FutexKey child = FutexKeys.ForPrivate(FutexDesign.NoSticky, Frame, SpaceB, Va, privateOp: true);
        Assert.True(parent == child);                      // isolation broken while COW-shared
        FutexKey afterCow = FutexKeys.ForPrivate(FutexDesign.NoSticky, new FrameNumber(0x9999), SpaceA, Va, privateOp: true);
        Assert.True(parent != afterCow);                   // and the parent's waiters are lost after a COW move

        Assert.True(FutexKeys.ForPrivate(FutexDesign.VirtKey, Frame, SpaceA, Va, privateOp: true)
                 != FutexKeys.ForPrivate(FutexDesign.VirtKey, Frame, SpaceB, Va, privateOp: true));
    }

    [Fact]
    public void PrivatePhysicalKey_WithoutAFrame_IsABug()
    {
        Assert.Throws<System.InvalidOperationException>(() => FutexKeys.ForPrivate(FutexDesign.Sticky, FrameNumber.None, SpaceA, Va, privateOp: true));
    }

    [Fact]
    public void PinsFrame_OnlyStickyPrivatePhysical()
    {
        FutexKey phys = FutexKeys.ForPrivate(FutexDesign.Sticky, Frame, SpaceA, Va, privateOp: true);
        Assert.True(FutexKeys.PinsFrame(FutexDesign.Sticky, phys));
        Assert.False(FutexKeys.PinsFrame(FutexDesign.NoSticky, phys));
        Assert.False(FutexKeys.PinsFrame(FutexDesign.Sticky, FutexKeys.ForShared(1, 0, Va)));
        Assert.False(FutexKeys.PinsFrame(FutexDesign.VirtKey, FutexKeys.ForPrivate(FutexDesign.VirtKey, Frame, SpaceA, Va, privateOp: true)));
    }

    [Fact]
    public void GlueHints_PerDesign()
    {
        foreach (bool priv in new[] { false, true })
        {
            Assert.True(FutexKeys.NeedsFrame(FutexDesign.Sticky, false, priv));
            Assert.True(FutexKeys.NeedsFrame(FutexDesign.NoSticky, false, priv));
            Assert.False(FutexKeys.NeedsFrame(FutexDesign.VirtKey, false, priv));
            Assert.False(FutexKeys.NeedsFrame(FutexDesign.Sticky, true, priv));
            Assert.True(FutexKeys.BreaksCowBeforeWait(FutexDesign.Sticky, false, priv));
            Assert.False(FutexKeys.BreaksCowBeforeWait(FutexDesign.NoSticky, false, priv));
            Assert.False(FutexKeys.BreaksCowBeforeWait(FutexDesign.VirtKey, false, priv));
            Assert.False(FutexKeys.BreaksCowBeforeWait(FutexDesign.Sticky, true, priv));
        }
    }

    // Linux 6.x: a plain op on a read-only private anonymous page is EFAULT; a
    // PRIVATE op is keyed as anywhere. nosticky (2002) keeps keying it by frame.
    [Fact]
    public void PlainOpOnReadOnlyPrivateMemory_IsRefused_ExceptByNoSticky()
    {
        Assert.True(FutexKeys.RefusesPlainOpOnReadOnly(FutexDesign.Sticky, shared: false, privateOp: false, writable: false));
        Assert.True(FutexKeys.RefusesPlainOpOnReadOnly(FutexDesign.VirtKey, shared: false, privateOp: false, writable: false));
        Assert.False(FutexKeys.RefusesPlainOpOnReadOnly(FutexDesign.NoSticky, shared: false, privateOp: false, writable: false));
        foreach (FutexDesign d in new[] { FutexDesign.Sticky, FutexDesign.NoSticky, FutexDesign.VirtKey })
        {
            Assert.False(FutexKeys.RefusesPlainOpOnReadOnly(d, shared: false, privateOp: true, writable: false));
            Assert.False(FutexKeys.RefusesPlainOpOnReadOnly(d, shared: false, privateOp: false, writable: true));
            Assert.False(FutexKeys.RefusesPlainOpOnReadOnly(d, shared: true, privateOp: false, writable: false));
        }
    }

    // Linux marks a plain op's key on private memory (FUT_OFF_MMSHARED): a
    // FUTEX_WAKE_PRIVATE never finds a plain FUTEX_WAIT on the same word, nor
    // the reverse, in any design.
    [Theory]
    [InlineData(FutexDesign.Sticky)]
    [InlineData(FutexDesign.NoSticky)]
    [InlineData(FutexDesign.VirtKey)]
    public void PrivateMemory_PlainAndPrivateOps_NeverMeet(FutexDesign design)
    {
        FutexKey plain = FutexKeys.For(design, shared: false, privateOp: false, 0, 0, Frame, SpaceA, Va);
        FutexKey priv = FutexKeys.For(design, shared: false, privateOp: true, 0, 0, Frame, SpaceA, Va);
        Assert.True(plain.PlainOp);
        Assert.False(priv.PlainOp);
        Assert.Equal(priv.Kind, plain.Kind);
        Assert.True(plain != priv);
        Assert.True(plain == FutexKeys.For(design, shared: false, privateOp: false, 0, 0, Frame, SpaceA, Va));
    }

    // On MAP_SHARED memory the plain op names the object (every process meets
    // there); the PRIVATE op names (address space, address), as in Linux: it
    // reaches neither another process nor a plain op on the same word.
    [Theory]
    [InlineData(FutexDesign.Sticky)]
    [InlineData(FutexDesign.NoSticky)]
    [InlineData(FutexDesign.VirtKey)]
    public void SharedMemory_PrivateOp_KeysByAddressSpaceAndAddress(FutexDesign design)
    {
        FutexKey plain = FutexKeys.For(design, shared: true, privateOp: false, 77, 3, Frame, SpaceA, Va);
        FutexKey inA = FutexKeys.For(design, shared: true, privateOp: true, 77, 3, Frame, SpaceA, Va);
        FutexKey inB = FutexKeys.For(design, shared: true, privateOp: true, 77, 3, Frame, SpaceB, Va);
        Assert.Equal(FutexKeyKind.PrivateVirtual, inA.Kind);
        Assert.Equal(SpaceA, inA.Word1);
        Assert.False(inA.PlainOp);
        Assert.True(inA != plain);
        Assert.True(inA != inB);
        Assert.Equal(FutexKeyKind.PrivateVirtual, FutexKeys.KindFor(design, shared: true, privateOp: true));
        Assert.Equal(FutexKeyKind.Shared, FutexKeys.KindFor(design, shared: true, privateOp: false));
    }

    [Fact]
    public void Equality_ComparesEveryField()
    {
        var k = new FutexKey(FutexKeyKind.Shared, 1, 2, 4, plainOp: false);
        Assert.True(k == new FutexKey(FutexKeyKind.Shared, 1, 2, 4, plainOp: false));
        Assert.True(k != new FutexKey(FutexKeyKind.PrivateVirtual, 1, 2, 4, plainOp: false));
        Assert.True(k != new FutexKey(FutexKeyKind.Shared, 9, 2, 4, plainOp: false));
        Assert.True(k != new FutexKey(FutexKeyKind.Shared, 1, 9, 4, plainOp: false));
        Assert.True(k != new FutexKey(FutexKeyKind.Shared, 1, 2, 8, plainOp: false));
        Assert.True(k != new FutexKey(FutexKeyKind.Shared, 1, 2, 4, plainOp: true));
        Assert.True(default(FutexKey).IsNone);
    }

    // Typical key sets (every word of one page, one word in consecutive frames,
    // the same address in many address spaces) spread over the buckets.
    [Fact]
    public void Hash_SpreadsTypicalKeysOverTheBuckets()
    {
        var table = new FutexTable(256);
        AssertSpread(table, i => FutexKeys.ForPrivate(FutexDesign.Sticky, new FrameNumber(0x100), 0, (ulong)i * 4, privateOp: true));
        AssertSpread(table, i => FutexKeys.ForPrivate(FutexDesign.Sticky, new FrameNumber(0x100 + (ulong)i), 0, 0x10, privateOp: true));
        AssertSpread(table, i => FutexKeys.ForPrivate(FutexDesign.VirtKey, FrameNumber.None, 1 + (ulong)i, 0x7FFF_FFFF_E000, privateOp: true));
        AssertSpread(table, i => FutexKeys.ForPrivate(FutexDesign.VirtKey, FrameNumber.None, 1, 0x10000 + (ulong)i * 4096, privateOp: true));
        AssertSpread(table, i => FutexKeys.ForShared(5, (ulong)i, 0));
    }

    private static void AssertSpread(FutexTable table, System.Func<int, FutexKey> key)
    {
        const int n = 1024;   // 4 per bucket on average
        var perBucket = new int[table.BucketCount];
        var seen = new HashSet<int>();
        for (int i = 0; i < n; i++)
        {
            int b = table.BucketIndexOf(key(i));
            Assert.InRange(b, 0, table.BucketCount - 1);
            perBucket[b]++;
            seen.Add(b);
        }
        int max = 0;
        foreach (int c in perBucket) if (c > max) max = c;
        Assert.True(seen.Count >= table.BucketCount * 9 / 10, "only " + seen.Count + " buckets used");
        Assert.True(max <= 16, "a bucket got " + max + " of " + n + " keys");
    }
}
