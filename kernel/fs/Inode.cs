using Sticky.Mm;

namespace Sticky.Fs
{
    public enum InodeKind : byte { Directory, File, Symlink, Device }

    // The character devices under /dev.
    public enum DeviceKind : byte { None, Null, Zero, Full, Random, Console, Tty }   // Tty: /dev/tty, the caller's controlling terminal

    // One file-system object. Every inode has exactly one name (there are no
    // hard links), so its name and parent directory live here.
    //
    // Lifetime: an inode of a writable file system is freed when it has no name
    // (unlinked, Linked == false) and nothing refers to it (Users == 0: open
    // files, working directories, a syscall using it). Initramfs inodes live
    // for the life of the kernel.
    public abstract unsafe class Inode
    {
        public InodeKind Kind;
        public FileSystem Fs;
        public ulong Ino;
        public uint Permissions;            // the low 12 bits of st_mode
        public long ModifiedNs, ChangedNs;  // realtime ns; access time is the modification time
        public Directory Parent;            // null for the root (and once unlinked)
        public byte[] Name;                 // null for the root
        public bool Linked = true;
        public int Users;

        // st_mode's type bits.
        public uint TypeBits => Kind switch
        {
            InodeKind.Directory => 0x4000,
            InodeKind.Symlink => 0xA000,
            InodeKind.Device => 0x2000,
            _ => 0x8000,
        };

        public uint Mode => TypeBits | Permissions;
        public bool IsDirectory => Kind == InodeKind.Directory;
        public bool IsExecutable => (Permissions & 0x49) != 0;   // any x bit

        public abstract ulong Size { get; }

        public bool NameEquals(byte* name, int length)
        {
            if (Name == null || Name.Length != length) return false;
            for (int i = 0; i < length; i++) if (Name[i] != name[i]) return false;
            return true;
        }

        // Is `this` `other` or one of its ancestors?
        public bool IsAncestorOf(Inode other)
        {
            for (Inode i = other; i != null; i = i.Parent) if (i == this) return true;
            return false;
        }
    }

    // A file of the initramfs: its bytes, read-only, in place in the archive.
    public sealed unsafe class ImageFile : Inode
    {
        public byte* Data;
        public ulong Length;
        public ImageFile() { Kind = InodeKind.File; }
        public override ulong Size => Length;
    }

    // A file of a RAM file system: its pages are a SharedMemoryObject's frames,
    // so MAP_SHARED maps them directly and a futex on them is keyed by the
    // object, as for shared anonymous memory. Data is null until the first write.
    public sealed class RamFile : Inode
    {
        public SharedMemoryObject Data;
        public ulong Length;
        public RamFile() { Kind = InodeKind.File; }
        public override ulong Size => Length;
    }

    public sealed unsafe class Symlink : Inode
    {
        public byte* Target;     // in the archive, not NUL-terminated
        public int TargetLength;
        public Symlink() { Kind = InodeKind.Symlink; }
        public override ulong Size => (ulong)TargetLength;
    }

    public sealed class DeviceNode : Inode
    {
        public DeviceKind Device;
        public DeviceNode() { Kind = InodeKind.Device; }
        public override ulong Size => 0;

        // st_rdev in Linux's encoding (major << 8 | minor, for small numbers).
        public ulong DeviceNumber => Device switch
        {
            DeviceKind.Null => (1 << 8) | 3,
            DeviceKind.Zero => (1 << 8) | 5,
            DeviceKind.Full => (1 << 8) | 7,
            DeviceKind.Random => (1 << 8) | 9,   // urandom
            DeviceKind.Console => (5 << 8) | 0,  // /dev/tty
            DeviceKind.Tty => (5 << 8) | 0,
            _ => 0,
        };
    }
}
