using Sticky.Mm;

namespace Sticky.Mm
{
    // One line of frame accounting for the boot log and the monitor.
    public static class MemoryReport
    {
        public static void Print()
        {
            FrameTable f = KernelMemory.Frames;
            Sticky.Debug.Console.Write("frames: ");
            Sticky.Debug.Console.Dec((long)f.FreeFrames);
            Sticky.Debug.Console.Write(" free, ");
            Sticky.Debug.Console.Dec((long)f.UsedFrames);
            Sticky.Debug.Console.Write(" used, ");
            Sticky.Debug.Console.Dec((long)f.SharedFrames);
            Sticky.Debug.Console.Write(" shared, ");
            Sticky.Debug.Console.Dec((long)f.PinnedFrames);
            Sticky.Debug.Console.Write(" pinned; kernel heap ");
            Sticky.Debug.Console.Dec(KernelHeap.BytesInUse);
            Sticky.Debug.Console.Write(" bytes in use in ");
            Sticky.Debug.Console.Dec(KernelHeap.PagesHeld);
            Sticky.Debug.Console.WriteLine(" pages");
        }
    }
}
