using System.Runtime.InteropServices;

namespace Sticky.Tty
{
    // struct termios as Linux's TCGETS/TCSETS exchange it on x86-64
    // (include/uapi/asm-generic/termbits.h: four flag words, the line
    // discipline byte, 19 control characters: 36 bytes). libc's own struct is
    // larger (musl: 32 characters and two speeds) but begins with this.
    [StructLayout(LayoutKind.Sequential, Pack = 1, Size = Size)]
    public unsafe struct Termios
    {
        public const int Size = 36, ControlChars = 19;

        public uint InputFlags, OutputFlags, ControlFlags, LocalFlags;
        public byte Line;
        public fixed byte Chars[ControlChars];

        // c_iflag
        public const uint ISTRIP = 0x20, INLCR = 0x40, IGNCR = 0x80, ICRNL = 0x100, IXON = 0x400, IUTF8 = 0x4000;
        // c_oflag
        public const uint OPOST = 0x1, ONLCR = 0x4, OCRNL = 0x8, ONOCR = 0x10, ONLRET = 0x20;
        // c_cflag: 115200 baud (Linux's B115200 code), 8 bits, receiver on, no modem lines
        public const uint B115200 = 0x1002, CS8 = 0x30, CREAD = 0x80, CLOCAL = 0x800;
        // c_lflag
        public const uint ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40,
            NOFLSH = 0x80, TOSTOP = 0x100, ECHOCTL = 0x200, ECHOPRT = 0x400, ECHOKE = 0x800, IEXTEN = 0x8000;
        // c_cc indices
        public const int VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6,
            VSTART = 8, VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14,
            VLNEXT = 15, VEOL2 = 16;
        // A control character set to this is switched off (_POSIX_VDISABLE).
        public const byte Disabled = 0;

        // What Linux gives a new terminal (tty_std_termios, with the serial
        // port's speed and CLOCAL: no modem lines to wait for).
        public static Termios Default()
        {
            Termios t = default;
            t.InputFlags = ICRNL | IXON;
            t.OutputFlags = OPOST | ONLCR;
            t.ControlFlags = B115200 | CS8 | CREAD | CLOCAL;
            t.LocalFlags = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
            t.Chars[VINTR] = 0x03;     // Ctrl-C
            t.Chars[VQUIT] = 0x1C;     // Ctrl-\
            t.Chars[VERASE] = 0x7F;    // DEL, what Backspace sends
            t.Chars[VKILL] = 0x15;     // Ctrl-U
            t.Chars[VEOF] = 0x04;      // Ctrl-D
            t.Chars[VTIME] = 0;
            t.Chars[VMIN] = 1;
            t.Chars[VSTART] = 0x11;    // Ctrl-Q
            t.Chars[VSTOP] = 0x13;     // Ctrl-S
            t.Chars[VSUSP] = 0x1A;     // Ctrl-Z
            t.Chars[VREPRINT] = 0x12;  // Ctrl-R
            t.Chars[VDISCARD] = 0x0F;  // Ctrl-O
            t.Chars[VWERASE] = 0x17;   // Ctrl-W
            t.Chars[VLNEXT] = 0x16;    // Ctrl-V
            return t;
        }

        public bool Has(uint localFlag) => (LocalFlags & localFlag) != 0;

        // Is `c` the (enabled) control character at `index`?
        public bool Is(byte c, int index)
        {
            fixed (byte* cc = Chars) return cc[index] != Disabled && cc[index] == c;
        }

        public byte Char(int index)
        {
            fixed (byte* cc = Chars) return cc[index];
        }
    }

    // struct winsize (TIOCGWINSZ/TIOCSWINSZ): 8 bytes.
    [StructLayout(LayoutKind.Sequential, Size = 8)]
    public struct WindowSize
    {
        public ushort Rows, Columns, XPixels, YPixels;
    }
}
