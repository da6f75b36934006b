"""cpio "newc" archives, the initramfs format the kernel reads (kernel/fs/Cpio.cs).

Per member: a 110-byte header of "070701" and 13 eight-digit hex fields, the
name with its NUL padded so header+name is a multiple of 4, the data padded
to 4. The archive ends with a member named "TRAILER!!!".

    write(path, [("init", b"..."), ("hello", b"...")])   # regular files, 0100755
    write(path, [("bin", MODE_DIRECTORY, b""), ("bin/sh", MODE_SYMLINK, b"busybox")])
    read(data) -> [(name, mode, bytes)]                   # for checks and fakes

A member is (name, bytes), an executable regular file, or (name, mode,
bytes): a directory's bytes are empty, a symlink's are its target.
"""
MAGIC = b"070701"
HEADER_SIZE = 110
TRAILER = "TRAILER!!!"
MODE_EXECUTABLE = 0o100755      # regular file, rwxr-xr-x
MODE_DIRECTORY = 0o040755       # directory, rwxr-xr-x
MODE_SYMLINK = 0o120777         # symbolic link; the data is the target


def _pad4(n):
    return b"\0" * (-n % 4)


def _member(ino, name, mode, data):
    encoded = name.encode() + b"\0"
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0)
    # ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
    header = MAGIC + b"".join(b"%08x" % f for f in fields)
    assert len(header) == HEADER_SIZE
    return header + encoded + _pad4(HEADER_SIZE + len(encoded)) + data + _pad4(len(data))


def pack(files):
    """files: [(name, bytes)] or [(name, mode, bytes)] -> the archive.
    Names are stored without a leading slash."""
    out, seen = [], set()
    for ino, member in enumerate(files, start=1):
        name, mode, data = member if len(member) == 3 else (member[0], MODE_EXECUTABLE, member[1])
        name = name.lstrip("/")
        if not name or name == TRAILER or name in seen:
            raise ValueError(f"bad or duplicate cpio member name {name!r}")
        seen.add(name)
        out.append(_member(ino, name, mode, data))
    out.append(_member(0, TRAILER, 0, b""))
    return b"".join(out)


def write(path, files):
    with open(path, "wb") as f:
        f.write(pack(files))


def read(data):
    """Parses an archive -> [(name, mode, bytes)] up to the trailer.
    Raises ValueError on anything malformed."""
    members, offset = [], 0
    while True:
        header = data[offset:offset + HEADER_SIZE]
        if len(header) < HEADER_SIZE or header[:6] not in (b"070701", b"070702"):
            raise ValueError(f"bad cpio header at offset {offset}")
        fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name_at = offset + HEADER_SIZE
        name = data[name_at:name_at + namesize]
        if namesize == 0 or len(name) < namesize or name[-1] != 0:
            raise ValueError(f"bad cpio name at offset {name_at}")
        name = name[:-1].decode()
        data_at = name_at + namesize + (-(name_at + namesize) % 4)
        if data_at + size > len(data):
            raise ValueError(f"cpio member {name!r} runs past the archive")
        if name == TRAILER:
            return members
        members.append((name, mode, data[data_at:data_at + size]))
        offset = data_at + size + (-size % 4)
