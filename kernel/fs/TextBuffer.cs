using Sticky.Mm;

namespace Sticky.Fs
{
    // The text of a /proc or /sys file, made when it is read (ProcText*.cs):
    // bytes appended to an array that doubles as it fills, up to MaxLength
    // (past that, the rest is cut, as a reader would see a file change size).
    public sealed unsafe class TextBuffer
    {
        public const int MaxLength = 256 * 1024;

        public byte[] Bytes;
        public int Length;

        public TextBuffer(int capacity = 512) { Bytes = new byte[capacity]; }

        public void Put(byte b)
        {
            if (Length == Bytes.Length && !Grow()) return;
            Bytes[Length++] = b;
        }

        private bool Grow()
        {
            if (Bytes.Length >= MaxLength) return false;
            var bigger = new byte[Bytes.Length * 2];
            for (int i = 0; i < Length; i++) bigger[i] = Bytes[i];
            ObjectRelease.Release(Bytes);
            Bytes = bigger;
            return true;
        }

        public void Put(string s)
        {
            for (int i = 0; i < s.Length; i++) Put((byte)s[i]);
        }

        public void Put(byte* s, int length)
        {
            for (int i = 0; i < length; i++) Put(s[i]);
        }

        public void Put(byte[] s, int length)
        {
            for (int i = 0; i < length; i++) Put(s[i]);
        }

        public void Dec(long value)
        {
            byte* digits = stackalloc byte[24];
            Put(digits, ProcTree.Digits(value, digits));
        }

        public void Dec(ulong value)
        {
            if (value <= long.MaxValue) { Dec((long)value); return; }
            Dec((long)(value / 10));
            Put((byte)('0' + (int)(value % 10)));
        }

        // Right-aligned in `width` columns (as printf's %8lu).
        public void Dec(ulong value, int width)
        {
            int digits = 1;
            for (ulong v = value; v >= 10; v /= 10) digits++;
            for (int i = digits; i < width; i++) Put((byte)' ');
            Dec(value);
        }

        // Lower-case hex with at least `width` digits, zero-padded (as %08lx).
        public void Hex(ulong value, int width)
        {
            int digits = 1;
            for (ulong v = value; v >= 16; v >>= 4) digits++;
            for (int i = digits; i < width; i++) Put((byte)'0');
            for (int i = digits - 1; i >= 0; i--)
            {
                int d = (int)((value >> (i * 4)) & 0xF);
                Put((byte)(d < 10 ? '0' + d : 'a' + d - 10));
            }
        }

        // Hundredths as "N.NN" (uptime, load averages).
        public void Centi(ulong hundredths)
        {
            Dec(hundredths / 100);
            Put((byte)'.');
            Put((byte)('0' + (int)(hundredths / 10 % 10)));
            Put((byte)('0' + (int)(hundredths % 10)));
        }

        // Pads with spaces up to column `column` of the current line (maps' pathname column).
        public void PadTo(int column)
        {
            int start = Length;
            while (start > 0 && Bytes[start - 1] != (byte)'\n') start--;
            for (int i = Length - start; i < column; i++) Put((byte)' ');
        }

        public void Release()
        {
            ObjectRelease.Release(Bytes);
            ObjectRelease.Release(this);
        }
    }
}
