namespace System
{
    // Targets of the JIT's block copy/zero/fill helpers (ILC looks them up by name).
    internal static unsafe class Buffer
    {
        public static void Memmove(ref byte destination, ref byte source, nuint length)
        {
            fixed (byte* d = &destination) fixed (byte* s = &source)
                Sticky.Runtime.Memory.Move(d, s, (ulong)length);
        }

        // Without a collector, copying references needs no barrier.
        public static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint length) =>
            Memmove(ref destination, ref source, length);
    }

    internal static unsafe class SpanHelpers
    {
        public static void Memmove(ref byte destination, ref byte source, nuint length) =>
            Buffer.Memmove(ref destination, ref source, length);

        public static void ClearWithoutReferences(ref byte destination, nuint length)
        {
            fixed (byte* d = &destination) Sticky.Runtime.Memory.Set(d, 0, (ulong)length);
        }

        public static void Fill(ref byte destination, nuint length, byte value)
        {
            fixed (byte* d = &destination) Sticky.Runtime.Memory.Set(d, value, (ulong)length);
        }
    }
}
