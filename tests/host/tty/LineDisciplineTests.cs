using System.Text;
using Sticky.Tty;
using Xunit;

namespace Sticky.Tests.Tty;

// The line discipline against what Linux's n_tty does with the same keys
// (each expectation checked on a Linux pty: typed into the master, echo read
// back from it, lines read from the slave). One difference is the device's:
// a signal key makes Linux flush output not yet sent, which on a pty can be
// the echo before it; the serial port sends echo at once, nothing is pending.
public unsafe class LineDisciplineTests
{
    private struct Screen : ITerminalDevice
    {
        public StringBuilder Text;
        public void Put(byte b) => Text.Append((char)b);
    }

    private readonly LineDiscipline _tty = new LineDiscipline();
    private Screen _screen = new Screen { Text = new StringBuilder() };
    private readonly System.Collections.Generic.List<int> _signals = new();

    private void Type(string keys)
    {
        foreach (char k in keys)
        {
            int signal = _tty.Receive((byte)k, ref _screen);
            if (signal != 0) _signals.Add(signal);
        }
    }

    // One read(2) of up to `max` bytes, or null if it would block.
    private string Read(int max = 4096)
    {
        if (!_tty.HasInput) return null;
        byte* buffer = stackalloc byte[max];
        int n = _tty.Read(buffer, max);
        return Encoding.Latin1.GetString(buffer, n);
    }

    private string Echo => _screen.Text.ToString();

    private void Raw(byte min = 1, byte time = 0)
    {
        Termios t = _tty.Settings;
        t.LocalFlags &= ~(Termios.ICANON | Termios.ECHO | Termios.ISIG | Termios.IEXTEN);
        t.InputFlags &= ~(Termios.ICRNL | Termios.IXON);
        t.OutputFlags &= ~Termios.OPOST;
        t.Chars[Termios.VMIN] = min;
        t.Chars[Termios.VTIME] = time;
        _tty.Set(t, flush: false);
    }

    [Fact]
    public void Canonical_LineIsReadableOnlyAfterEnter_CrBecomesNl()
    {
        Type("ab");
        Assert.Null(Read());
        Type("\r");
        Assert.Equal("ab\n", Read());
        Assert.Equal("ab\r\n", Echo);
        Assert.Null(Read());
    }

    [Fact]
    public void Canonical_ReadStopsAtTheEndOfOneLine_AndASmallReadLeavesTheRest()
    {
        Type("one\ntwo\n");
        Assert.Equal("on", Read(2));
        Assert.Equal("e\n", Read());
        Assert.Equal("two\n", Read());
    }

    [Fact]
    public void Erase_RemovesOneCharacter_EchoesBackSpaceSpaceBackSpace()
    {
        Type("abc\x7f\x7f" + "d\n");
        Assert.Equal("ad\n", Read());
        Assert.Equal("abc\b \b\b \bd\r\n", Echo);
    }

    [Fact]
    public void Erase_OfAControlCharacterEchoedAsCaret_TakesTwoColumns()
    {
        Type("a\x01\x7f\n");
        Assert.Equal("a\n", Read());
        Assert.Equal("a^A\b \b\b \b\r\n", Echo);
    }

    [Fact]
    public void Erase_OnAnEmptyLine_DoesNothing()
    {
        Type("\x7f\n");
        Assert.Equal("\n", Read());
        Assert.Equal("\r\n", Echo);
    }

    [Fact]
    public void Erase_OfATab_GoesBackToWhereTheTabStarted()
    {
        Type("ab\t\x7f\n");
        Assert.Equal("ab\n", Read());
        Assert.Equal("ab\t\b\b\b\b\b\b\r\n", Echo);   // the tab went from column 2 to 8
    }

    [Fact]
    public void Kill_ErasesTheLine_VisiblyWithEchoke()
    {
        Type("xy\x15zz\n");
        Assert.Equal("zz\n", Read());
        Assert.Equal("xy\b \b\b \bzz\r\n", Echo);
    }

    [Fact]
    public void Kill_WithoutEchoke_EchoesTheKillCharacterAndANewline()
    {
        Termios t = _tty.Settings;
        t.LocalFlags &= ~Termios.ECHOKE;
        _tty.Set(t, flush: false);
        Type("xy\x15z\n");
        Assert.Equal("z\n", Read());
        Assert.Equal("xy^U\r\nz\r\n", Echo);
    }

    [Fact]
    public void WordErase_ErasesTheLastWordAndTrailingSpaces()
    {
        Type("foo bar  \x17" + "baz\n");
        Assert.Equal("foo baz\n", Read());
        Type("a.b\x17\n");
        Assert.Equal("a.\n", Read());
        Assert.Equal("foo bar  \b \b\b \b\b \b\b \b\b \bbaz\r\na.b\b \b\r\n", Echo);
    }

    [Fact]
    public void CtrlD_EndsAPartialLineWithoutItself_ThenReadsAsEndOfFile()
    {
        Type("partial\x04");
        Assert.Equal("partial", Read());
        Assert.Null(Read());
        Type("\x04");
        Assert.Equal("", Read());                 // read() returns 0: end of file
        Assert.Null(Read());                      // ... once
        Assert.Equal("partial", Echo);            // Ctrl-D is not echoed
    }

    [Fact]
    public void LiteralNext_QuotesAnEditingKey()
    {
        Type("a\x16\x7f\n");
        Assert.Equal("a\x7f\n", Read());
        Assert.Equal("a^\b^?\r\n", Echo);
    }

    [Fact]
    public void Reprint_ShowsTheLineAgain()
    {
        Type("ab\x12");
        Assert.Equal("ab^R\r\nab", Echo);
    }

    [Fact]
    public void SignalKeys_FlushTheLine_EchoCaret_AndNameTheSignal()
    {
        Type("abc\x03");
        Assert.Equal(new[] { 2 }, _signals);
        Assert.Null(Read());
        Type("\x1c\x1a");
        Assert.Equal(new[] { 2, 3, 20 }, _signals);
        Assert.Equal("abc^C^\\^Z", Echo);
        Type("x\n");
        Assert.Equal("x\n", Read());              // the discarded "abc" is gone
    }

    [Fact]
    public void Noflsh_KeepsTheLineAfterASignalKey()
    {
        Termios t = _tty.Settings;
        t.LocalFlags |= Termios.NOFLSH;
        _tty.Set(t, flush: false);
        Type("abc\x03\n");
        Assert.Equal("abc\n", Read());
        Assert.Equal("abc^C\r\n", Echo);
    }

    [Fact]
    public void WithoutIsig_CtrlCIsAnOrdinaryByte()
    {
        Termios t = _tty.Settings;
        t.LocalFlags &= ~Termios.ISIG;
        _tty.Set(t, flush: false);
        Type("\x03\n");
        Assert.Empty(_signals);
        Assert.Equal("\x03\n", Read());
        Assert.Equal("^C\r\n", Echo);
    }

    [Fact]
    public void NoEcho_StillEditsTheLine()
    {
        Termios t = _tty.Settings;
        t.LocalFlags &= ~Termios.ECHO;
        _tty.Set(t, flush: false);
        Type("secret\x7f\x7f\r");
        Assert.Equal("secr\n", Read());
        Assert.Equal("", Echo);
    }

    [Fact]
    public void Echonl_EchoesOnlyTheNewlineWithoutEcho()
    {
        Termios t = _tty.Settings;
        t.LocalFlags = (t.LocalFlags & ~Termios.ECHO) | Termios.ECHONL;
        _tty.Set(t, flush: false);
        Type("pw\n");
        Assert.Equal("\r\n", Echo);
    }

    [Fact]
    public void Raw_EveryByteIsReadableAtOnce_NothingTranslated()
    {
        Raw();
        Type("a\r\x7f\x03\x04");
        Assert.Empty(_signals);
        Assert.Equal("a\r\x7f\x03\x04", Read());
        Assert.Equal("", Echo);
    }

    [Fact]
    public void Raw_WithEcho_ShowsControlBytesAsCaret()
    {
        Raw();
        Termios t = _tty.Settings;
        t.LocalFlags |= Termios.ECHO | Termios.ECHOCTL;
        _tty.Set(t, flush: false);
        Type("a\r");
        Assert.Equal("a^M", Echo);
    }

    [Fact]
    public void SwitchingToRaw_MakesTheEditedLineReadable()
    {
        Type("half");
        Assert.Null(Read());
        Raw();
        Assert.Equal("half", Read());
    }

    [Fact]
    public void SwitchingToCanonical_TurnsPendingBytesIntoOneLine()
    {
        Raw();
        Type("xyz");
        _tty.Set(Termios.Default(), flush: false);
        Assert.Equal("xyz", Read());
    }

    [Fact]
    public void SetWithFlush_DiscardsInput()
    {
        Type("typed ahead\n");
        _tty.Set(_tty.Settings, flush: true);
        Assert.Null(Read());
    }

    [Fact]
    public void Output_NlBecomesCrNl_UnlessOpostIsOff()
    {
        byte* text = stackalloc byte[] { (byte)'a', (byte)'\n' };
        _tty.Write(text, 2, ref _screen);
        Raw();
        _tty.Write(text, 2, ref _screen);
        Assert.Equal("a\r\na\n", Echo);
    }

    [Fact]
    public void StartAndStopKeys_AreTakenOutOfTheInputWithIxon()
    {
        Type("a\x13\x11" + "b\n");
        Assert.Equal("ab\n", Read());
    }

    [Fact]
    public void FullBuffer_InCanonicalMode_DropsBytesButStillEndsTheLine()
    {
        for (int i = 0; i < LineDiscipline.Capacity + 10; i++)
        {
            Assert.True(_tty.HasRoom);
            Type("x");
        }
        Type("\n");
        string line = Read(LineDiscipline.Capacity);
        Assert.Equal(LineDiscipline.Capacity, line.Length);
        Assert.EndsWith("x\n", line);
    }

    [Fact]
    public void FullBuffer_WithCompleteLines_HasNoRoomUntilRead()
    {
        for (int i = 0; i < LineDiscipline.Capacity / 2 - 1; i++) Type("y\n");
        Assert.True(_tty.HasRoom);
        Type("y");
        Assert.False(_tty.HasRoom);               // complete lines wait for a reader: flow control
        Assert.Equal("y\n", Read());
        Assert.True(_tty.HasRoom);
    }

    [Fact]
    public void Utf8_EraseTakesTheWholeCharacter()
    {
        Termios t = _tty.Settings;
        t.InputFlags |= Termios.IUTF8;
        _tty.Set(t, flush: false);
        Type("a\u00c3\u00a9\x7f\n");               // "aé" in UTF-8, one erase
        Assert.Equal("a\n", Read());
        Assert.Equal("a\u00c3\u00a9\b \b\r\n", Echo);
    }
}
