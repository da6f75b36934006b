using Sticky.Signal;
using Xunit;

namespace Sticky.Tests.Signal
{
    public class SigSetTests
    {
        [Fact]
        public void NextPrefersFaultSignalsThenTheLowestNumber()
        {
            ulong pending = SigSet.Of(2) | SigSet.Of(11) | SigSet.Of(40);
            Assert.Equal(11, SigSet.Next(pending));                       // SIGSEGV before SIGINT
            Assert.Equal(2, SigSet.Next(SigSet.Of(2) | SigSet.Of(40)));
            Assert.Equal(64, SigSet.Next(SigSet.Of(64)));
            Assert.Equal(0, SigSet.Next(0));
        }

        [Fact]
        public void KillAndStopAreUnblockable()
        {
            Assert.True(SigSet.Has(SigSet.Unblockable, 9));
            Assert.True(SigSet.Has(SigSet.Unblockable, 19));
            Assert.False(SigSet.Has(SigSet.Unblockable, 15));
        }
    }

    public class SigQueueTests
    {
        private static SigInfo Info(int sig, ulong value) => new SigInfo { Signo = sig, Code = SigInfo.SI_QUEUE, Word24 = value };

        [Fact]
        public void StandardSignalsMergeAndKeepTheFirstInfo()
        {
            var q = new SigQueue();
            Assert.Equal(SigQueue.AddResult.Added, q.Add(Info(10, 1), new PendingSignal()));
            Assert.Equal(SigQueue.AddResult.Merged, q.Add(Info(10, 2), new PendingSignal()));
            Assert.True(q.Take(10, out SigInfo got));
            Assert.Equal(1UL, got.Word24);
            Assert.False(SigSet.Has(q.Set, 10));
            Assert.False(q.Take(10, out _));
        }

        [Fact]
        public void RealtimeSignalsQueueInOrderAndTheBitStaysWhileAnyWaits()
        {
            var q = new SigQueue();
            for (ulong i = 1; i <= 3; i++) Assert.Equal(SigQueue.AddResult.Added, q.Add(Info(34, i), new PendingSignal()));
            Assert.True(q.Take(34, out SigInfo a));
            Assert.True(SigSet.Has(q.Set, 34));
            Assert.True(q.Take(34, out SigInfo b));
            Assert.True(q.Take(34, out SigInfo c));
            Assert.False(SigSet.Has(q.Set, 34));
            Assert.Equal(new ulong[] { 1, 2, 3 }, new[] { a.Word24, b.Word24, c.Word24 });
            Assert.Equal(0, q.Queued);
        }

        [Fact]
        public void RealtimeQueueIsBounded()
        {
            var q = new SigQueue();
            for (int i = 0; i < SigQueue.Limit; i++) Assert.Equal(SigQueue.AddResult.Added, q.Add(Info(40, (ulong)i), new PendingSignal()));
            Assert.Equal(SigQueue.AddResult.Full, q.Add(Info(40, 999), new PendingSignal()));
        }

        [Fact]
        public void DiscardDropsOnlyTheNamedSignals()
        {
            var q = new SigQueue();
            q.Add(Info(10, 1), new PendingSignal());
            q.Add(Info(34, 2), new PendingSignal());
            q.Add(Info(12, 3), new PendingSignal());
            q.Discard(SigSet.Of(10) | SigSet.Of(34));
            Assert.Equal(SigSet.Of(12), q.Set);
            Assert.Equal(1, q.Queued);
            Assert.True(q.Take(12, out SigInfo left));
            Assert.Equal(3UL, left.Word24);
        }
    }

    public class SyscallRestartTests
    {
        [Theory]
        [InlineData(SyscallRestart.ERESTARTSYS, false, false, RestartAction.Restart)]
        [InlineData(SyscallRestart.ERESTARTSYS, true, false, RestartAction.Interrupted)]
        [InlineData(SyscallRestart.ERESTARTSYS, true, true, RestartAction.Restart)]
        [InlineData(SyscallRestart.ERESTARTNOINTR, true, false, RestartAction.Restart)]
        [InlineData(SyscallRestart.ERESTARTNOHAND, true, true, RestartAction.Interrupted)]
        [InlineData(SyscallRestart.ERESTARTNOHAND, false, false, RestartAction.Restart)]
        [InlineData(SyscallRestart.ERESTART_RESTARTBLOCK, true, true, RestartAction.Interrupted)]
        [InlineData(SyscallRestart.ERESTART_RESTARTBLOCK, false, false, RestartAction.RestartBlock)]
        public void LinuxRules(int code, bool handler, bool saRestart, RestartAction expected) =>
            Assert.Equal(expected, SyscallRestart.Decide(-code, handler, saRestart));

        [Fact]
        public void OrdinaryResultsAreKept()
        {
            Assert.Equal(RestartAction.Keep, SyscallRestart.Decide(-4, true, true));   // EINTR stays EINTR
            Assert.Equal(RestartAction.Keep, SyscallRestart.Decide(0, false, false));
        }
    }

    public class SignalActionTests
    {
        [Fact]
        public void DefaultIgnoredAndExplicitlyIgnoredSignals()
        {
            var a = new SignalActions();
            Assert.True(a.Ignores(17));    // SIGCHLD by default
            Assert.False(a.Ignores(10));
            a[10].Handler = SignalAction.SIG_IGN;
            Assert.True(a.Ignores(10));
            a[9].Handler = SignalAction.SIG_IGN;
            Assert.False(a.Ignores(9));    // SIGKILL cannot be ignored
        }

        [Fact]
        public void ExecKeepsIgnoredAndResetsHandlers()
        {
            var a = new SignalActions();
            a[10].Handler = 0x401000;
            a[12].Handler = SignalAction.SIG_IGN;
            a.ResetHandlersForExec();
            Assert.True(a[10].IsDefault);
            Assert.True(a[12].IsIgnore);
        }
    }
}
