using System.Runtime.InteropServices;

namespace Sticky.Mm
{
    public enum FrameState : byte
    {
        Reserved = 0,   // not RAM, or RAM that is never handed out (zeroed metadata reads as this)
        Free = 1,       // on the free list
        Used = 2,       // allocated; RefCount owners (or 0 owners but still pinned, see FrameTable.Release)
    }

    // Per-frame metadata, one per frame, in an array carved from RAM at boot
    // (FrameTableLayout). 16 bytes: 0.4% of memory. Only FrameTable writes it.
    [StructLayout(LayoutKind.Sequential)]
    public struct FrameInfo
    {
        internal uint Next;          // free-list links (frame numbers), valid only while Free;
        internal uint Prev;          //   doubly linked so a contiguous allocation can unlink any frame
        internal uint RefCount;      // owners: PTEs mapping it, a page-table parent, a shared object, ...
        internal ushort PinCount;    // holders that need it never freed or moved (futex waiters)
        internal FrameState State;
        internal byte Spare;
    }
}
