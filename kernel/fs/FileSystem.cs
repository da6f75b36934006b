using Sticky.Mm;

namespace Sticky.Fs
{
    // One file system: the initramfs (read-only), or a RAM file system (/tmp,
    // /dev/shm), or the device directory. Its inodes share its device number
    // (st_dev) and inode counter; a rename cannot cross from one to another.
    public sealed class FileSystem
    {
        // Inodes one writable file system may hold: their kernel-heap objects
        // must not eat the heap's reserve (a failed kernel allocation panics).
        public const int MaxInodes = 4096;

        public readonly ulong Device;
        public readonly bool ReadOnly;
        public readonly FrameTable Frames;   // a RAM file's pages come from here
        // What statfs and /proc/mounts call it: Linux's type name, its magic
        // number, and the device name a mount table shows.
        public string Type = "ramfs", Source = "none";
        public long Magic = RamfsMagic;
        // /proc and /sys: made by the kernel, no names can be added (ENOENT)
        // or taken away (EPERM), as Linux's proc answers.
        public bool Synthetic;

        public const long RamfsMagic = 0x858458f6, TmpfsMagic = 0x01021994, ProcMagic = 0x9fa0, SysfsMagic = 0x62656572;
        private ulong _nextIno;

        // Live inodes (the leak check counts them).
        public int InodeCount;

        // Realtime nanoseconds for timestamps; null (host tests): 0.
        public static unsafe delegate*<long> Clock;

        public FileSystem(ulong device, bool readOnly, FrameTable frames)
        {
            Device = device; ReadOnly = readOnly; Frames = frames;
        }

        public static unsafe long Now => Clock != null ? Clock() : 0;

        // Frames the kernel heap may still need when user memory has run out:
        // an inode or a page array is a heap object, and a failed kernel
        // allocation panics, so a file system stops growing (ENOSPC) above this.
        public const ulong HeapMargin = 64;

        public bool HasRoom => Frames == null || Frames.FreeFrames > Frames.ReserveFloor + HeapMargin;

        // Fills in what every new inode of this file system gets.
        public T Adopt<T>(T inode, uint permissions) where T : Inode
        {
            inode.Fs = this;
            inode.Ino = ++_nextIno;
            inode.Permissions = permissions & 0xFFF;
            inode.ModifiedNs = inode.ChangedNs = inode.AccessedNs = Now;
            InodeCount++;
            return inode;
        }
    }
}
