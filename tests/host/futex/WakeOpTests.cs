using Sticky.Futex;
using Xunit;

namespace Sticky.Tests.Futex;

// FUTEX_WAKE_OP's encoded operation. Values cross-checked with Linux 6.18.
public class WakeOpTests
{
    // FUTEX_OP(op, oparg, cmp, cmparg) from linux/futex.h.
    private static uint Encode(int op, int oparg, int cmp, int cmparg) =>
        (uint)(((op & 0xF) << 28) | ((cmp & 0xF) << 24) | ((oparg & 0xFFF) << 12) | (cmparg & 0xFFF));

    private static int Apply(uint encoded, int old)
    {
        WakeOp w = WakeOp.Decode(encoded);
        Assert.True(w.OpIsValid);
        return w.Apply(old);
    }

    private static bool Compare(uint encoded, int old)
    {
        Assert.Equal(0, WakeOp.Decode(encoded).Compare(old, out bool wake));
        return wake;
    }

    [Fact]
    public void Decode_SplitsTheFields()
    {
        WakeOp w = WakeOp.Decode(Encode(WakeOp.OpOr, 0x123, WakeOp.CmpLe, 0x45));
        Assert.Equal(WakeOp.OpOr, w.Op);
        Assert.Equal(WakeOp.CmpLe, w.Cmp);
        Assert.Equal(0x123, w.OpArg);
        Assert.Equal(0x45, w.CmpArg);
        Assert.False(w.Shift);
    }

    [Theory]
    [InlineData(0x000u, 0)]
    [InlineData(0x7FFu, 2047)]
    [InlineData(0x800u, -2048)]
    [InlineData(0xFFFu, -1)]
    public void Arguments_AreSignExtended12Bits(uint bits, int expected)
    {
        Assert.Equal(expected, WakeOp.SignExtend12(bits));
        WakeOp w = WakeOp.Decode(Encode(WakeOp.OpAdd, (int)bits, WakeOp.CmpEq, (int)bits));
        Assert.Equal(expected, w.OpArg);
        Assert.Equal(expected, w.CmpArg);
    }

    [Fact] public void Set_ReplacesTheValue() => Assert.Equal(7, Apply(Encode(WakeOp.OpSet, 7, 0, 0), 5));
    [Fact] public void Add_AddsSignedOperand() => Assert.Equal(4, Apply(Encode(WakeOp.OpAdd, -1, 0, 0), 5));
    [Fact] public void Add_WrapsAround() => Assert.Equal(int.MinValue, Apply(Encode(WakeOp.OpAdd, 1, 0, 0), int.MaxValue));
    [Fact] public void Or_OrsTheSignExtendedOperand() => Assert.Equal(-2043, Apply(Encode(WakeOp.OpOr, 0x800, 0, 0), 5));
    [Fact] public void AndNot_ClearsOperandBits() => Assert.Equal(4, Apply(Encode(WakeOp.OpAndNot, 1, 0, 0), 5));
    [Fact] public void Xor_FlipsOperandBits() => Assert.Equal(6, Apply(Encode(WakeOp.OpXor, 3, 0, 0), 5));

    [Fact]
    public void ShiftFlag_MakesTheOperandAPowerOfTwo()
    {
        Assert.Equal(5 | (1 << 4), Apply(Encode(WakeOp.OpOr | WakeOp.OpArgShiftFlag, 4, 0, 0), 5));
        Assert.Equal(int.MinValue, Apply(Encode(WakeOp.OpSet | WakeOp.OpArgShiftFlag, 31, 0, 0), 5));
        Assert.False(WakeOp.Decode(Encode(WakeOp.OpSet | WakeOp.OpArgShiftFlag, 31, 0, 0)).ShiftWasClamped);
    }

    // Linux warns ("fix this program") and masks the shift to 5 bits; so do we.
    [Theory]
    [InlineData(40, 1 << 8)]
    [InlineData(-1, int.MinValue)]
    [InlineData(32, 1)]
    public void OutOfRangeShift_IsMaskedToFiveBits(int shift, int expected)
    {
        WakeOp w = WakeOp.Decode(Encode(WakeOp.OpSet | WakeOp.OpArgShiftFlag, shift, 0, 0));
        Assert.True(w.ShiftWasClamped);
        Assert.Equal(expected, w.Apply(5));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void UnknownOp_IsInvalid_AndApplyRefuses(int op)
    {
        WakeOp w = WakeOp.Decode(Encode(op, 1, 0, 0));
        Assert.False(w.OpIsValid);
        Assert.Throws<System.InvalidOperationException>(() => w.Apply(5));
        Assert.False(WakeOp.Decode(Encode(op | WakeOp.OpArgShiftFlag, 1, 0, 0)).OpIsValid);
    }

    [Theory]
    [InlineData(WakeOp.CmpEq, 5, 5, true)]
    [InlineData(WakeOp.CmpEq, 5, 6, false)]
    [InlineData(WakeOp.CmpNe, 5, 6, true)]
    [InlineData(WakeOp.CmpNe, 5, 5, false)]
    [InlineData(WakeOp.CmpLt, 4, 5, true)]
    [InlineData(WakeOp.CmpLt, 5, 5, false)]
    [InlineData(WakeOp.CmpLe, 5, 5, true)]
    [InlineData(WakeOp.CmpLe, 6, 5, false)]
    [InlineData(WakeOp.CmpGt, 6, 5, true)]
    [InlineData(WakeOp.CmpGt, 5, 5, false)]
    [InlineData(WakeOp.CmpGe, 5, 5, true)]
    [InlineData(WakeOp.CmpGe, 4, 5, false)]
    public void Comparisons(int cmp, int old, int cmparg, bool expected)
    {
        Assert.Equal(expected, Compare(Encode(WakeOp.OpSet, 0, cmp, cmparg), old));
    }

    [Fact]
    public void Comparisons_AreSigned()
    {
        // cmparg 0xFFF is -1: an old value of -2 (0xFFFFFFFE as u32) is LESS, not greater.
        Assert.True(Compare(Encode(WakeOp.OpSet, 0, WakeOp.CmpLt, 0xFFF), -2));
        Assert.False(Compare(Encode(WakeOp.OpSet, 0, WakeOp.CmpGt, 0xFFF), -2));
        Assert.True(Compare(Encode(WakeOp.OpSet, 0, WakeOp.CmpGt, 0xFFF), 0));
        Assert.True(Compare(Encode(WakeOp.OpSet, 0, WakeOp.CmpLt, 0), int.MinValue));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(15)]
    public void UnknownComparison_IsENOSYS_AndWakesNobody(int cmp)
    {
        WakeOp w = WakeOp.Decode(Encode(WakeOp.OpAdd, 1, cmp, 0));
        Assert.True(w.OpIsValid);          // Linux applies the op, THEN fails the comparison
        Assert.False(w.CmpIsValid);
        Assert.Equal(Errno.ENOSYS, w.Compare(0, out bool wake));
        Assert.False(wake);
    }
}
