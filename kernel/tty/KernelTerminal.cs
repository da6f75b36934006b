using Sticky.Drivers;

namespace Sticky.Tty
{
    // The terminal on the first serial port: what programs read (fd 0) and
    // write (fds 1, 2).
    public static unsafe class Terminal
    {
        public static int Write(byte* bytes, int n)
        {
            for (int i = 0; i < n; i++)
            {
                if (bytes[i] == (byte)'\n') Serial.WriteByte(Serial.Com1, (byte)'\r');
                Serial.WriteByte(Serial.Com1, bytes[i]);
            }
            return n;
        }
    }
}
