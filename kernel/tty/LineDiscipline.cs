namespace Sticky.Tty
{
    // Where a terminal's output goes, one byte at a time (the serial port; a
    // recording in the host tests).
    public interface ITerminalDevice
    {
        void Put(byte b);
    }

    // A terminal's line discipline, as Linux's n_tty does it: what a program
    // reads from the terminal and how typed keys are echoed. In canonical
    // mode (ICANON) the keys build a line that the user edits (Backspace
    // erases a character, Ctrl-W a word, Ctrl-U the line, Ctrl-V quotes the
    // next key, Ctrl-R reprints it) and that a reader gets only once it is
    // ended by Enter, EOL, or Ctrl-D (end of file: at the start of a line, a
    // read returns 0). Otherwise every byte is readable as it comes. CR/NL
    // translation on input (ICRNL, INLCR, IGNCR) and output (ONLCR, OCRNL),
    // echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL's ^X), and the signal
    // keys (ISIG: Ctrl-C, Ctrl-\, Ctrl-Z) follow the termios settings.
    //
    // Pure logic: no locks, no blocking, no devices (tty/KernelTerminal.cs
    // binds it to the serial port, the scheduler and process groups; host
    // tests run it directly). Not implemented: output flow control (with
    // IXON, Ctrl-S and Ctrl-Q are taken out of the input but stop nothing),
    // ECHOPRT, parity marks, tab expansion.
    public sealed unsafe class LineDiscipline
    {
        public const int Capacity = 4096;
        private const byte LineEnd = 1, EndOfFile = 2;   // marks on buffered bytes

        public Termios Settings = Termios.Default();
        public WindowSize Size = new WindowSize { Rows = 24, Columns = 80 };

        // The input: _count bytes from _head, of which the first _lineStart
        // are readable (in canonical mode: complete lines; the rest is the
        // line being edited). One slot is kept for a line's end, so a full
        // line can still be ended and read.
        private readonly byte[] _bytes = new byte[Capacity], _marks = new byte[Capacity];
        private int _head, _count, _lineStart;
        private bool _literalNext;
        // Output columns: where the cursor is, and where the edited line began
        // (Linux's column and canon_column), to erase a tab by the right amount.
        private int _column, _canonColumn;

        public bool Canonical => (Settings.LocalFlags & Termios.ICANON) != 0;

        // Can a reader take something now (a line, end of file, or in raw mode any byte)?
        public bool HasInput => _lineStart > 0;

        // Bytes a read could return (FIONREAD).
        public int Readable => _lineStart;

        // Is there room for another byte from the device? If not it stays
        // there (flow control). In canonical mode a line still being edited
        // always takes input, so a full buffer can never stop its own line.
        public bool HasRoom => Canonical ? _lineStart == 0 || _count < Capacity - 1 : _count < Capacity;

        // One byte typed on the terminal. Returns the signal for the
        // foreground process group (SIGINT, SIGQUIT, SIGTSTP) or 0.
        public int Receive<TDevice>(byte c, ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            if ((Settings.InputFlags & Termios.ISTRIP) != 0) c &= 0x7F;
            if (_literalNext)
            {
                _literalNext = false;
                StoreEchoed(c, ref device);
                return 0;
            }
            if ((Settings.InputFlags & Termios.IXON) != 0 && (Settings.Is(c, Termios.VSTART) || Settings.Is(c, Termios.VSTOP)))
                return 0;
            if (Settings.Has(Termios.ISIG))
            {
                int signal = Settings.Is(c, Termios.VINTR) ? 2 : Settings.Is(c, Termios.VQUIT) ? 3
                           : Settings.Is(c, Termios.VSUSP) ? 20 : 0;   // SIGINT, SIGQUIT, SIGTSTP
                if (signal != 0)
                {
                    if (!Settings.Has(Termios.NOFLSH)) Flush();
                    if (Settings.Has(Termios.ECHO)) EchoChar(c, ref device);
                    return signal;
                }
            }
            if (c == (byte)'\r')
            {
                if ((Settings.InputFlags & Termios.IGNCR) != 0) return 0;
                if ((Settings.InputFlags & Termios.ICRNL) != 0) c = (byte)'\n';
            }
            else if (c == (byte)'\n' && (Settings.InputFlags & Termios.INLCR) != 0) c = (byte)'\r';

            if (Canonical && Special(c, ref device)) return 0;
            StoreEchoed(c, ref device);
            return 0;
        }

        // Canonical mode's editing and line-ending keys; false for an ordinary byte.
        private bool Special<TDevice>(byte c, ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            bool extended = Settings.Has(Termios.IEXTEN), echo = Settings.Has(Termios.ECHO);
            if (Settings.Is(c, Termios.VERASE) || Settings.Is(c, Termios.VKILL) || (extended && Settings.Is(c, Termios.VWERASE)))
            {
                Erase(c, ref device);
                return true;
            }
            if (extended && Settings.Is(c, Termios.VLNEXT))
            {
                _literalNext = true;
                if (echo && Settings.Has(Termios.ECHOCTL)) { Output((byte)'^', ref device); Output((byte)'\b', ref device); }
                return true;
            }
            if (extended && echo && Settings.Is(c, Termios.VREPRINT))
            {
                EchoChar(c, ref device);
                Output((byte)'\n', ref device);
                for (int i = _lineStart; i < _count; i++) EchoChar(At(i), ref device);
                return true;
            }
            if (c == (byte)'\n')
            {
                if (echo || Settings.Has(Termios.ECHONL)) Output((byte)'\n', ref device);
                EndLine(c, LineEnd);
                return true;
            }
            if (Settings.Is(c, Termios.VEOF))
            {
                EndLine(0, LineEnd | EndOfFile);   // not echoed, not read: it only ends the line
                return true;
            }
            if (Settings.Is(c, Termios.VEOL) || (extended && Settings.Is(c, Termios.VEOL2)))
            {
                if (echo)
                {
                    if (_count == _lineStart) _canonColumn = _column;
                    EchoChar(c, ref device);
                }
                EndLine(c, LineEnd);
                return true;
            }
            return false;
        }

        private void StoreEchoed<TDevice>(byte c, ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            if (_count >= (Canonical ? Capacity - 1 : Capacity)) return;   // a full line: dropped, as Linux does
            if (Settings.Has(Termios.ECHO))
            {
                if (c == (byte)'\n') Output(c, ref device);
                else
                {
                    if (_count == _lineStart) _canonColumn = _column;
                    EchoChar(c, ref device);
                }
            }
            Put(c, 0);
            if (!Canonical) _lineStart = _count;
        }

        private void EndLine(byte c, byte mark)
        {
            if (_count >= Capacity) return;   // cannot happen: one slot is kept for this
            Put(c, mark);
            _lineStart = _count;
        }

        // Erase (one character), word erase or kill (the whole line), with
        // the echo that takes them off the screen (Linux's eraser()).
        private void Erase<TDevice>(byte c, ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            if (_count == _lineStart) return;
            bool echo = Settings.Has(Termios.ECHO);
            bool erase = Settings.Is(c, Termios.VERASE), wordErase = !erase && Settings.Is(c, Termios.VWERASE);
            if (!erase && !wordErase)
            {
                if (!echo || !Settings.Has(Termios.ECHOK) || !Settings.Has(Termios.ECHOKE) || !Settings.Has(Termios.ECHOE))
                {
                    _count = _lineStart;
                    if (!echo) return;
                    EchoChar(c, ref device);
                    if (Settings.Has(Termios.ECHOK)) Output((byte)'\n', ref device);
                    return;
                }
            }
            int alnums = 0;
            while (_count > _lineStart)
            {
                int at = _count;
                byte b;
                do { b = At(--at); } while (IsContinuation(b) && at > _lineStart);
                if (IsContinuation(b)) break;   // never half a character
                if (wordErase)
                {
                    if (IsWordChar(b)) alnums++;
                    else if (alnums > 0) break;
                }
                _count = at;
                if (echo)
                {
                    if (erase && !Settings.Has(Termios.ECHOE)) EchoChar(c, ref device);
                    else if (b == (byte)'\t') EraseTab(ref device);
                    else
                    {
                        bool control = IsControl(b), ctl = Settings.Has(Termios.ECHOCTL);
                        if (control && ctl) BackSpaceSpace(ref device);
                        if (!control || ctl) BackSpaceSpace(ref device);
                    }
                }
                if (erase) break;
            }
        }

        // A tab took the columns up to the next multiple of 8 from where its
        // line (or the previous tab) began: go back that far.
        private void EraseTab<TDevice>(ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            int width = 0;
            bool afterTab = false;
            for (int i = _count - 1; i >= _lineStart; i--)
            {
                byte b = At(i);
                if (b == (byte)'\t') { afterTab = true; break; }
                if (IsControl(b)) { if (Settings.Has(Termios.ECHOCTL)) width += 2; }
                else if (!IsContinuation(b)) width++;
            }
            if (!afterTab) width += _canonColumn;
            int back = 8 - (width & 7);
            if (back > _column) back = _column;
            while (back-- > 0) Output((byte)'\b', ref device);
        }

        private void BackSpaceSpace<TDevice>(ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            Output((byte)'\b', ref device);
            Output((byte)' ', ref device);
            Output((byte)'\b', ref device);
        }

        // A typed byte as the user sees it: control characters as ^X with ECHOCTL (not tab or newline).
        private void EchoChar<TDevice>(byte c, ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            if (Settings.Has(Termios.ECHOCTL) && IsControl(c) && c != (byte)'\t' && c != (byte)'\n')
            {
                Output((byte)'^', ref device);
                Output((byte)(c ^ 0x40), ref device);
                return;
            }
            Output(c, ref device);
        }

        // What a program writes to the terminal (fds 1 and 2).
        public void Write<TDevice>(byte* bytes, int n, ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            for (int i = 0; i < n; i++) Output(bytes[i], ref device);
        }

        // Output processing (OPOST): NL to CR NL (ONLCR), CR to NL (OCRNL),
        // CR dropped at column 0 (ONOCR); the column is followed for erasing.
        private void Output<TDevice>(byte c, ref TDevice device) where TDevice : struct, ITerminalDevice
        {
            uint o = Settings.OutputFlags;
            if ((o & Termios.OPOST) == 0) { device.Put(c); return; }
            switch (c)
            {
                case (byte)'\n':
                    if ((o & Termios.ONLRET) != 0) _column = 0;
                    if ((o & Termios.ONLCR) != 0)
                    {
                        _canonColumn = _column = 0;
                        device.Put((byte)'\r');
                        break;
                    }
                    _canonColumn = _column;
                    break;
                case (byte)'\r':
                    if ((o & Termios.ONOCR) != 0 && _column == 0) return;
                    if ((o & Termios.OCRNL) != 0)
                    {
                        c = (byte)'\n';
                        if ((o & Termios.ONLRET) != 0) _canonColumn = _column = 0;
                        break;
                    }
                    _canonColumn = _column = 0;
                    break;
                case (byte)'\t':
                    _column += 8 - (_column & 7);
                    break;
                case (byte)'\b':
                    if (_column > 0) _column--;
                    break;
                default:
                    if (!IsControl(c) && !IsContinuation(c)) _column++;
                    break;
            }
            device.Put(c);
        }

        // Copies what a read may take into `into` (at most `max` bytes): in
        // canonical mode up to and including the end of one line, without a
        // Ctrl-D that ended it (so Ctrl-D on an empty line reads as 0 bytes,
        // end of file); otherwise everything there is. Call when HasInput.
        public int Read(byte* into, int max)
        {
            int n = 0;
            bool canonical = Canonical;
            while (n < max && _lineStart > 0)
            {
                byte b = _bytes[_head], mark = _marks[_head];
                _head = (_head + 1) % Capacity;
                _count--;
                _lineStart--;
                if ((mark & EndOfFile) != 0)
                {
                    if (canonical) break;
                    continue;
                }
                into[n++] = b;
                if (canonical && (mark & LineEnd) != 0) break;
            }
            return n;
        }

        // Throws away all input (TCFLSH, TCSETSF, a signal key without NOFLSH).
        public void Flush()
        {
            _count = _lineStart = 0;
            _literalNext = false;
        }

        // New settings (TCSETS*). Switching canonical mode on or off re-reads
        // the input as Linux does: to raw, all of it becomes readable; to
        // canonical, what is there is one finished line.
        public void Set(Termios settings, bool flush)
        {
            bool was = Canonical;
            Settings = settings;
            if (flush) Flush();
            if (was == Canonical) return;
            for (int i = 0; i < _count; i++) _marks[(_head + i) % Capacity] = 0;
            _literalNext = false;
            if (Canonical && _count > 0) _marks[(_head + _count - 1) % Capacity] = LineEnd;
            _lineStart = _count;
        }

        private void Put(byte c, byte mark)
        {
            int at = (_head + _count) % Capacity;
            _bytes[at] = c;
            _marks[at] = mark;
            _count++;
        }

        private byte At(int i) => _bytes[(_head + i) % Capacity];

        private bool IsContinuation(byte c) => (Settings.InputFlags & Termios.IUTF8) != 0 && (c & 0xC0) == 0x80;

        private static bool IsControl(byte c) => c < 0x20 || c == 0x7F;

        private static bool IsWordChar(byte c) =>
            (c >= (byte)'a' && c <= (byte)'z') || (c >= (byte)'A' && c <= (byte)'Z') || (c >= (byte)'0' && c <= (byte)'9') || c == (byte)'_';
    }
}
