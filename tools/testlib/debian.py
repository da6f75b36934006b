"""Debian's static binaries, and data made on this host at build time, for
guest programs that run them (metadata in tests/guest/*.c, see guest.py):

    debian          the initramfs holds each of PROGRAMS at its Debian path
                    (tools/setup installs the packages)
    data            it holds build/guest-data (tools/mkguestdata) as /data;
                    natively the program finds the same files through
                    STICKY_GUEST_DATA
    same-as-native  the program's transcript -- its lines starting with
                    "<name>| " -- must be the same on stickyos as on Linux
                    (the program run natively under the same conditions)
"""
import difflib
import os

from . import cpio, core

# Debian path -> package.
PROGRAMS = {
    "/sbin/e2fsck.static": "e2fsck-static",
    "/usr/bin/gpgv-static": "gpgv-static",
    "/usr/bin/dar_static": "dar-static",
    "/usr/bin/dar_cp_static": "dar-static",
    "/usr/bin/cdebootstrap-static": "cdebootstrap-static",
}
DATA_DIR = "guest-data"             # under the build directory
DATA_IN_GUEST = "data"
DATA_ENV = "STICKY_GUEST_DATA"
MODE_DATA = 0o100644                # a regular file, rw-r--r--


def missing(programs=True, data_dir=None):
    """-> why the run cannot be made, or None."""
    absent = [p for p in PROGRAMS if programs and not os.path.isfile(p)]
    if absent:
        return f"{absent[0]} not found: install {', '.join(PROGRAMS[p] for p in absent)} (tools/setup)"
    if data_dir and not os.path.isdir(data_dir):
        return f"{data_dir} not found: run `make guests` (tools/mkguestdata)"
    return None


def files(programs=True, data_dir=None):
    """Initramfs members: the programs at their paths, the data in /data."""
    members, dirs = [], set()

    def parents(path):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in dirs:
                dirs.add(d)
                members.append((d, cpio.MODE_DIRECTORY, b""))

    for path in PROGRAMS if programs else ():
        name = path.lstrip("/")
        parents(name)
        members.append((name, cpio.MODE_EXECUTABLE, _read(path)))
    if data_dir:
        members.append((DATA_IN_GUEST, cpio.MODE_DIRECTORY, b""))
        for f in sorted(os.listdir(data_dir)):
            if os.path.isfile(os.path.join(data_dir, f)) and not f.startswith("."):
                members.append((f"{DATA_IN_GUEST}/{f}", MODE_DATA, _read(os.path.join(data_dir, f))))
    return members


def native_env(data_dir):
    return dict(os.environ, **{DATA_ENV: os.path.abspath(data_dir)}) if data_dir else None


def transcript(lines, name):
    prefix = f"{name}| "
    return [line.rstrip("\r\n") for line in lines if line.startswith(prefix)]


def compare_with_linux(binary, name, guest_lines, timeout, data_dir, log_path):
    """Runs the program natively -> None if it passed there and printed the
    same transcript as on stickyos, else the difference."""
    run = core.run_logged([binary], timeout, log_path, env=native_env(data_dir))
    if run.rc != 0 or f"PASS {name}" not in run.lines:
        return f"natively (Linux) it did not pass: exit {run.rc}"
    ours, linux = transcript(guest_lines, name), transcript(run.lines, name)
    if ours == linux:
        return None
    diff = difflib.unified_diff(linux, ours, "Linux", "stickyos", lineterm="", n=1)
    return "the transcript differs from Linux's:\n" + "\n".join(list(diff)[:60])


def _read(path):
    with open(path, "rb") as f:
        return f.read()
