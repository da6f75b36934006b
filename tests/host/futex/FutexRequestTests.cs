using Sticky.Futex;
using Xunit;

namespace Sticky.Tests.Futex;

// One test per Linux validation rule. Expected values were checked against
// Linux 6.18 (a C program calling futex(2) on the host).
public class FutexRequestTests
{
    private const ulong UserEnd = 0x0000_7FFF_FFFF_F000;
    private const ulong Word = 0x1000_0000;
    private const ulong Word2 = 0x1000_0004;

    private static int Decode(int op, ulong uaddr = Word, uint val = 0, ulong arg4 = 0, ulong uaddr2 = Word2, uint val3 = 0)
        => FutexRequest.Decode(op, uaddr, val, arg4, uaddr2, val3, UserEnd, out _);

    private static FutexRequest Decoded(int op, ulong uaddr = Word, uint val = 0, ulong arg4 = 0, ulong uaddr2 = Word2, uint val3 = 0)
    {
        Assert.Equal(0, FutexRequest.Decode(op, uaddr, val, arg4, uaddr2, val3, UserEnd, out FutexRequest r));
        return r;
    }

    // ---- op decoding -------------------------------------------------------

    [Fact]
    public void Op_SplitsCommandAndFlags()
    {
        var op = new FutexOp(FutexCommand.WaitBitset | FutexOp.PrivateFlag | FutexOp.ClockRealtimeFlag);
        Assert.Equal(FutexCommand.WaitBitset, op.Command);
        Assert.True(op.IsPrivate);
        Assert.True(op.UsesRealtimeClock);
        var plain = new FutexOp(FutexCommand.Wake);
        Assert.False(plain.IsPrivate);
        Assert.False(plain.UsesRealtimeClock);
    }

    [Theory]
    [InlineData(FutexCommand.Wait)]
    [InlineData(FutexCommand.Wake)]
    [InlineData(FutexCommand.Requeue)]
    [InlineData(FutexCommand.CmpRequeue)]
    [InlineData(FutexCommand.WakeOp)]
    [InlineData(FutexCommand.WaitBitset)]
    [InlineData(FutexCommand.WakeBitset)]
    [InlineData(FutexCommand.LockPi)]
    [InlineData(FutexCommand.UnlockPi)]
    [InlineData(FutexCommand.TrylockPi)]
    [InlineData(FutexCommand.WaitRequeuePi)]
    [InlineData(FutexCommand.LockPi2)]
    public void SupportedCommands_AreAccepted_PlainAndPrivate(int command)
    {
        Assert.Equal(0, Decode(command, val3: 1));
        Assert.Equal(0, Decode(command | FutexOp.PrivateFlag, val3: 1));
    }

    [Fact]
    public void CmpRequeuePi_WantsOneToWakeAndTwoDifferentWords()
    {
        Assert.Equal(0, Decode(FutexCommand.CmpRequeuePi, val: 1));
        Assert.Equal(Errno.EINVAL, Decode(FutexCommand.CmpRequeuePi, val: 2));
        Assert.Equal(Errno.EINVAL, Decode(FutexCommand.CmpRequeuePi, val: 1, uaddr2: Word));
        Assert.Equal(Errno.EINVAL, Decode(FutexCommand.CmpRequeuePi, val: 1, arg4: 0x80000000));   // nr_requeue < 0
        Assert.Equal(Errno.EINVAL, Decode(FutexCommand.WaitRequeuePi, uaddr2: Word));
    }

    [Fact]
    public void LockPi_DeadlineIsRealtime_LockPi2_Monotonic()
    {
        Assert.True(new FutexOp(FutexCommand.LockPi).DeadlineIsRealtime);
        Assert.False(new FutexOp(FutexCommand.LockPi2).DeadlineIsRealtime);
        Assert.True(new FutexOp(FutexCommand.LockPi2 | FutexOp.ClockRealtimeFlag).DeadlineIsRealtime);
        Assert.Equal(Errno.ENOSYS, Decode(FutexCommand.LockPi | FutexOp.ClockRealtimeFlag));
    }

    [Theory]
    [InlineData(FutexCommand.Fd)]
    [InlineData(14)]
    [InlineData(127)]
    public void UnknownOrUnsupportedCommand_IsENOSYS(int command)
    {
        Assert.Equal(Errno.ENOSYS, Decode(command, val3: 1));
    }

    [Theory]
    [InlineData(0x200 | FutexCommand.Wake)]
    [InlineData(unchecked((int)0x80000001))]
    public void StrayHighBits_MakeAnUnknownCommand_NotMaskedTo7Bits(int op)
    {
        Assert.Equal(Errno.ENOSYS, Decode(op));
    }

    [Theory]
    [InlineData(FutexCommand.Wake)]
    [InlineData(FutexCommand.Wait)]            // allowed in 4.5..5.x, refused again by Linux 6.x
    [InlineData(FutexCommand.Requeue)]
    [InlineData(FutexCommand.CmpRequeue)]
    [InlineData(FutexCommand.WakeOp)]
    [InlineData(FutexCommand.WakeBitset)]
    public void ClockRealtime_WithOtherThanWaitBitset_IsENOSYS(int command)
    {
        Assert.Equal(Errno.ENOSYS, Decode(command | FutexOp.ClockRealtimeFlag, val3: 1));
        Assert.Equal(Errno.ENOSYS, Decode(command | FutexOp.ClockRealtimeFlag | FutexOp.PrivateFlag, val3: 1));
    }

    [Fact]
    public void ClockRealtime_WithWaitBitset_IsAccepted()
    {
        Assert.Equal(0, Decode(FutexCommand.WaitBitset | FutexOp.ClockRealtimeFlag, val3: 1));
        Assert.Equal(0, Decode(FutexCommand.WaitBitset | FutexOp.ClockRealtimeFlag | FutexOp.PrivateFlag, val3: 1));
    }

    // ---- bitsets -----------------------------------------------------------

    [Theory]
    [InlineData(FutexCommand.WaitBitset)]
    [InlineData(FutexCommand.WakeBitset)]
    public void ZeroBitset_IsEINVAL(int command)
    {
        Assert.Equal(Errno.EINVAL, Decode(command, val3: 0));
    }

    [Fact]
    public void ZeroBitset_IsReportedBeforeMisalignment()
    {
        Assert.Equal(Errno.EINVAL, Decode(FutexCommand.WakeBitset, uaddr: Word + 1, val3: 0));
    }

    [Fact]
    public void PlainWaitAndWake_MatchAnyBitset_IgnoringVal3()
    {
        Assert.Equal(FutexOp.BitsetMatchAny, Decoded(FutexCommand.Wait, val3: 0).Bitset);
        Assert.Equal(FutexOp.BitsetMatchAny, Decoded(FutexCommand.Wake, val3: 5).Bitset);
        Assert.Equal(0x30u, Decoded(FutexCommand.WakeBitset, val3: 0x30).Bitset);
    }

    // ---- addresses ---------------------------------------------------------

    [Theory]
    [InlineData(FutexCommand.Wait, 1)]
    [InlineData(FutexCommand.Wake, 2)]
    [InlineData(FutexCommand.WakeBitset, 3)]
    [InlineData(FutexCommand.Requeue, 2)]
    [InlineData(FutexCommand.WakeOp, 1)]
    public void MisalignedWord_IsEINVAL(int command, int misalignment)
    {
        Assert.Equal(Errno.EINVAL, Decode(command, uaddr: Word + (ulong)misalignment, val3: 1));
    }

    [Theory]
    [InlineData(FutexCommand.Requeue)]
    [InlineData(FutexCommand.CmpRequeue)]
    [InlineData(FutexCommand.WakeOp)]
    public void MisalignedSecondWord_IsEINVAL(int command)
    {
        Assert.Equal(Errno.EINVAL, Decode(command, uaddr2: Word2 + 1));
    }

    [Fact]
    public void SecondWord_IsNotCheckedByOneWordCommands()
    {
        Assert.Equal(0, Decode(FutexCommand.Wake, uaddr2: 3));
    }

    [Theory]
    [InlineData(UserEnd)]
    [InlineData(UserEnd - 2)]      // misaligned wins: EINVAL comes first in get_futex_key
    [InlineData(0xFFFF_8000_0000_0000)]
    public void WordOutsideUserSpace_IsEFAULT_UnlessMisaligned(ulong uaddr)
    {
        int expected = (uaddr & 3) != 0 ? Errno.EINVAL : Errno.EFAULT;
        Assert.Equal(expected, Decode(FutexCommand.Wake, uaddr: uaddr));
        Assert.Equal(0, Decode(FutexCommand.Wake, uaddr: UserEnd - 4));
    }

    // ---- requeue counts ----------------------------------------------------

    [Theory]
    [InlineData(FutexCommand.Requeue)]
    [InlineData(FutexCommand.CmpRequeue)]
    public void NegativeNrWake_IsEINVAL(int command)
    {
        Assert.Equal(Errno.EINVAL, Decode(command, val: 0xFFFFFFFF, arg4: 1));
    }

    [Theory]
    [InlineData(FutexCommand.Requeue)]
    [InlineData(FutexCommand.CmpRequeue)]
    public void NegativeNrRequeue_IsEINVAL(int command)
    {
        Assert.Equal(Errno.EINVAL, Decode(command, val: 1, arg4: 0xFFFFFFFF));
    }

    [Fact]
    public void NegativeRequeueCount_IsReportedBeforeMisalignment()
    {
        Assert.Equal(Errno.EINVAL, Decode(FutexCommand.Requeue, uaddr: Word + 1, val: 0xFFFFFFFF));
    }

    [Fact]
    public void RequeueCount_TakesTheLow32BitsOfTheFourthArgument()
    {
        FutexRequest r = Decoded(FutexCommand.CmpRequeue, val: 1, arg4: 0x1_0000_0007, val3: 42);
        Assert.Equal(1, r.Count);
        Assert.Equal(7, r.Count2);
        Assert.Equal(42u, r.Value3);
        Assert.Equal(Word2, r.Word2);
    }

    [Fact]
    public void WakeOp_NegativeCounts_AreNoError()
    {
        FutexRequest r = Decoded(FutexCommand.WakeOp, val: 0xFFFFFFFF, arg4: 0xFFFFFFFF);
        Assert.Equal(-1, r.Count);
        Assert.Equal(-1, r.Count2);
    }

    [Fact]
    public void Wait_KeepsExpectedValue_AndNoCount2FromItsTimeoutPointer()
    {
        FutexRequest r = Decoded(FutexCommand.Wait, val: 0xDEADBEEF, arg4: 0x7000_1000);
        Assert.Equal(0xDEADBEEFu, r.Value);
        Assert.Equal(0, r.Count2);
        Assert.True(r.Op.IsWait);
    }

    // ---- timeouts ----------------------------------------------------------

    [Theory]
    [InlineData(FutexCommand.Wait, true)]
    [InlineData(FutexCommand.WaitBitset, true)]
    [InlineData(FutexCommand.LockPi, true)]
    [InlineData(FutexCommand.LockPi2, true)]
    [InlineData(FutexCommand.WaitRequeuePi, true)]
    [InlineData(FutexCommand.Wake, false)]
    [InlineData(FutexCommand.Requeue, false)]
    [InlineData(FutexCommand.WakeOp, false)]
    [InlineData(15, false)]
    public void OnlyWaitingCommands_TakeATimespec(int command, bool hasTimeout)
    {
        Assert.Equal(hasTimeout, new FutexOp(command).HasTimeout);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 999_999_999)]
    [InlineData(long.MaxValue, 0)]
    public void ValidTimespec_IsAccepted(long sec, long nsec)
    {
        Assert.Equal(0, FutexTimeout.Check(sec, nsec));
    }

    [Theory]
    [InlineData(0, 1_000_000_000)]
    [InlineData(0, -1)]
    [InlineData(-1, 0)]
    [InlineData(long.MinValue, 5)]
    public void InvalidTimespec_IsEINVAL(long sec, long nsec)
    {
        Assert.Equal(Errno.EINVAL, FutexTimeout.Check(sec, nsec));
    }

    [Fact]
    public void FutexWaitTimeout_IsRelative_WaitBitsetIsAbsolute_BothSaturate()
    {
        var wait = new FutexOp(FutexCommand.Wait);
        var bitset = new FutexOp(FutexCommand.WaitBitset);
        Assert.Equal(1_000 + 2_000_000_005, FutexTimeout.Deadline(wait, 2, 5, now: 1_000));
        Assert.Equal(2_000_000_005, FutexTimeout.Deadline(bitset, 2, 5, now: 1_000));
        Assert.Equal(long.MaxValue, FutexTimeout.Deadline(wait, long.MaxValue, 0, now: 1_000));
        Assert.Equal(long.MaxValue, FutexTimeout.Deadline(wait, long.MaxValue / FutexTimeout.NanosPerSecond - 1, 999_999_999, now: long.MaxValue / 2));
        Assert.Equal(long.MaxValue, FutexTimeout.Deadline(bitset, long.MaxValue, 0, now: 0));
    }
}
