using Sticky.Mm;

namespace Sticky.Fs
{
    public enum InodeKind : byte { Directory, File, Symlink, Device }

    // The character devices under /dev.
    public enum DeviceKind : byte { None, Null, Zero, Full, Random, Console, Tty }   // Tty: /dev/tty, the caller's controlling terminal

    // One file-system object. A directory has exactly one name, kept here
    // with its parent; a file may have several (hard links: the directory
    // entries own the names, Links counts them).
    //
    // Lifetime: an inode of a writable file system is freed when it has no name
    // (Links == 0) and nothing refers to it (Users == 0: open files, working
    // directories, a syscall using it). Initramfs inodes live for the life of the kernel.
    public abstract unsafe class Inode
    {
        public InodeKind Kind;
        public FileSystem Fs;
        public ulong Ino;
        public uint Permissions;            // the low 12 bits of st_mode
        public long ModifiedNs, ChangedNs;  // realtime ns; access time is the modification time
        public Directory Parent;            // a directory's parent; null for the root (and once removed)
        public byte[] Name;                 // the name it was made with (a directory's only name); null for the root
        public int Links;                   // directory entries naming it (st_nlink of a file)
        public bool Linked => Links > 0 || Generated || (Parent == null && IsDirectory && Name == null);   // the root is always linked
        public int Users;
        public uint Uid, Gid;               // chown records them; nothing checks them (everyone is root)
        public long AccessedNs;             // utimensat sets it; reads do not move it (as noatime)

        // /proc and /sys (ProcTree.cs): what this inode shows, for which
        // process and descriptor. Generated: made by a lookup, in no
        // directory, gone when nothing uses it; Fresh while the walk that made
        // it has not ended (NextFresh links those).
        public ProcNode Node;
        public int Pid, Fd;
        public bool Generated, Fresh;
        public Inode NextFresh;

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
        public byte* Target;     // in the archive, or in Owned; not NUL-terminated
        public int TargetLength;
        public byte[] Owned;     // a symlink made by symlink(2) keeps its target here (objects never move)
        public Symlink() { Kind = InodeKind.Symlink; }
        public override ulong Size => (ulong)TargetLength;
    }

    // A file of /proc or /sys: its text is made from kernel state when it is
    // read (Node says which), so it has no size, as on Linux.
    public sealed class ProcFile : Inode
    {
        public ProcFile() { Kind = InodeKind.File; }
        public override ulong Size => 0;
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
