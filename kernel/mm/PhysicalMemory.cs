namespace Sticky.Mm
{
    // Whole-frame operations through an IPhysicalMemory. Written out here, not
    // taken from the runtime, because this file is shared with host tests.
    public static unsafe class PhysicalMemory
    {
        private const int WordsPerFrame = (int)(Paging.PageSize / 8);

        public static void ZeroFrame<TMem>(TMem mem, FrameNumber frame) where TMem : struct, IPhysicalMemory
        {
            ulong* p = (ulong*)mem.Map(frame.Address);
            for (int i = 0; i < WordsPerFrame; i++) p[i] = 0;
        }

        public static void CopyFrame<TMem>(TMem mem, FrameNumber destination, FrameNumber source) where TMem : struct, IPhysicalMemory
        {
            ulong* d = (ulong*)mem.Map(destination.Address);
            ulong* s = (ulong*)mem.Map(source.Address);
            for (int i = 0; i < WordsPerFrame; i++) d[i] = s[i];
        }
    }
}
