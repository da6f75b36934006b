namespace Sticky.Fs
{
    public enum CpioError
    {
        Ok,
        End,        // reached "TRAILER!!!" (or the exact end of the archive)
        BadMagic,   // not 070701 / 070702 ("newc" / "crc")
        BadHex,     // a header field with a non-hex digit
        Truncated,  // header, name or data runs past the archive
        BadName,    // namesize 0 or name not NUL-terminated
    }

    // One archive member. Name and Data point into the archive.
    public unsafe struct CpioEntry
    {
        public byte* Name;        // without the trailing NUL
        public int NameLength;
        public byte* Data;
        public ulong Size;
        public uint Mode;         // st_mode: type bits and permissions
        public uint Ino;
        public uint NLink;
        public uint Uid, Gid;
        public uint Mtime;        // seconds since 1970

        public bool IsRegular => (Mode & Cpio.TypeMask) == Cpio.TypeRegular;
        public bool IsDirectory => (Mode & Cpio.TypeMask) == Cpio.TypeDirectory;
        public bool IsSymlink => (Mode & Cpio.TypeMask) == Cpio.TypeSymlink;
    }

    // Read-only reader of a cpio "newc" archive in memory (the initramfs).
    // Layout per member: 110-byte ASCII-hex header, name (with NUL) padded so
    // header+name is a multiple of 4, data padded to 4. Offsets are relative to
    // the archive start, which the boot loader places page-aligned.
    // Every length is checked against the archive before it is used: the
    // archive is input, so corruption is a result, never a fault.
    public static unsafe class Cpio
    {
        public const uint TypeMask = 0xF000, TypeRegular = 0x8000, TypeDirectory = 0x4000, TypeSymlink = 0xA000;
        public const int HeaderSize = 110;

        // Reads the member at `offset` and advances `offset` past it.
        // Start with offset = 0; stop at anything but Ok.
        public static CpioError Next(byte* archive, ulong length, ref ulong offset, out CpioEntry entry)
        {
            entry = default;
            if (archive == null || offset >= length) return CpioError.End;
            if (length - offset < HeaderSize) return CpioError.Truncated;
            byte* h = archive + offset;
            if (h[0] != (byte)'0' || h[1] != (byte)'7' || h[2] != (byte)'0' || h[3] != (byte)'7'
                || h[4] != (byte)'0' || (h[5] != (byte)'1' && h[5] != (byte)'2'))
                return CpioError.BadMagic;

            // Fields after the magic, 8 hex digits each: ino mode uid gid nlink
            // mtime filesize devmajor devminor rdevmajor rdevminor namesize check.
            uint ino, mode, uid, gid, nlink, mtime, size, namesize;
            if (!Hex(h + 6, out ino) || !Hex(h + 14, out mode) || !Hex(h + 22, out uid)
                || !Hex(h + 30, out gid) || !Hex(h + 38, out nlink) || !Hex(h + 46, out mtime)
                || !Hex(h + 54, out size) || !Hex(h + 62, out _) || !Hex(h + 70, out _)
                || !Hex(h + 78, out _) || !Hex(h + 86, out _) || !Hex(h + 94, out namesize)
                || !Hex(h + 102, out _))
                return CpioError.BadHex;

            if (namesize == 0) return CpioError.BadName;
            ulong nameAt = offset + HeaderSize;
            if (length - nameAt < namesize) return CpioError.Truncated;
            byte* name = archive + nameAt;
            if (name[namesize - 1] != 0) return CpioError.BadName;

            // All values fit in 32 bits, so these sums cannot wrap a ulong.
            ulong dataAt = Align4(nameAt + namesize);
            if (dataAt > length || length - dataAt < size) return CpioError.Truncated;

            entry.Name = name;
            entry.NameLength = (int)namesize - 1;
            entry.Data = archive + dataAt;
            entry.Size = size;
            entry.Mode = mode;
            entry.Ino = ino;
            entry.NLink = nlink;
            entry.Uid = uid;
            entry.Gid = gid;
            entry.Mtime = mtime;
            offset = Align4(dataAt + size);
            if (offset > length) offset = length;   // unpadded last member

            if (Equal(entry.Name, entry.NameLength, "TRAILER!!!"))
            {
                entry = default;
                return CpioError.End;
            }
            return CpioError.Ok;
        }

        // Finds `path` (leading "/" and "./" ignored on both sides). False if
        // absent or if the archive is corrupt before it is reached.
        public static bool Find(byte* archive, ulong length, byte* path, int pathLength, out CpioEntry entry)
        {
            Strip(ref path, ref pathLength);
            ulong offset = 0;
            while (Next(archive, length, ref offset, out entry) == CpioError.Ok)
            {
                byte* n = entry.Name;
                int nl = entry.NameLength;
                Strip(ref n, ref nl);
                if (nl != pathLength) continue;
                int i = 0;
                while (i < nl && n[i] == path[i]) i++;
                if (i == nl) return true;
            }
            entry = default;
            return false;
        }

        public static bool Find(byte* archive, ulong length, string path, out CpioEntry entry)
        {
            int n = path.Length;
            if (n > 4096) { entry = default; return false; }
            byte* p = stackalloc byte[n + 1];
            for (int i = 0; i < n; i++) p[i] = (byte)path[i];
            return Find(archive, length, p, n, out entry);
        }

        // Drops leading "/" and "./" so "/bin/sh", "./bin/sh" and "bin/sh"
        // name the same member; "." and "/" become the empty root name.
        private static void Strip(ref byte* s, ref int n)
        {
            while (n > 0)
            {
                if (s[0] == (byte)'/') { s++; n--; }
                else if (s[0] == (byte)'.' && (n == 1 || s[1] == (byte)'/')) { s++; n--; }
                else break;
            }
        }

        private static bool Hex(byte* p, out uint value)
        {
            value = 0;
            for (int i = 0; i < 8; i++)
            {
                uint c = p[i], d;
                if (c >= '0' && c <= '9') d = c - '0';
                else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
                else return false;
                value = value << 4 | d;
            }
            return true;
        }

        private static ulong Align4(ulong x) => (x + 3) & ~3UL;

        private static bool Equal(byte* s, int n, string literal)
        {
            if (n != literal.Length) return false;
            for (int i = 0; i < n; i++) if (s[i] != (byte)literal[i]) return false;
            return true;
        }
    }
}
