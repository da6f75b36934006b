"""The fake qemu-system-x86_64's kernel when it is given an -initrd: plays
init (see tools/testlib/guestrun.py for the protocol) over the archive it was
given, so the tests exercise the real cpio writer and command line.

A program's file is a script (anything else runs as `out PASS <name>`, `exit 0`):
    out TEXT            print TEXT
    exit N              the program exits with status N
    signal NAME         killed by signal NAME (prints a `fault:` line)
    leak FIELD N        after it, acct FIELD (frames, heap, processes, pinned) is N off
    hang                never finishes
    panic               kernel panic (QEMU exit 37)
    [DESIGN] COMMAND    only under futex=DESIGN (default design: sticky)
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from testlib import cpio  # noqa: E402

FIELDS = {"frames": 0, "heap": 1, "processes": 2, "pinned": 3}


def out(s):
    print(s, end="\r\n", flush=True)    # a UART sends CR LF


def main(initrd, cmdline):
    opts = dict(w.split("=", 1) for w in cmdline if "=" in w)
    design = opts.get("futex", "sticky")
    out("stickyos 0.1.0 (fake)")
    out("cmdline: " + " ".join(cmdline))
    with open(initrd, "rb") as f:
        files = {name: data for name, _, data in cpio.read(f.read())}
    if "init" not in files:
        out("KERNEL PANIC: no /init in the initramfs")
        sys.exit(37)
    programs = opts["run"].split(",") if "run" in opts else ["hello", "threads"]
    acct = [1000, 5000, 1, 0]
    show = lambda: out("acct free-frames=%d heap-bytes=%d processes=%d pinned-frames=%d" % tuple(acct))
    out(f"init: running {len(programs)} programs")
    show()
    ok = True
    for name in programs:
        if name not in files:
            out(f"init: cannot run {name}: No such file or directory")
            status = "127"
        else:
            status = act(name, files[name], design, acct)
        out(f"exit {name} {status}")
        show()
        ok = ok and status == "0"
    out(f"init: exited with status {0 if ok else 1}")
    sys.exit(33 if ok else 35)


def act(name, data, design, acct):
    try:
        script = data.decode().splitlines()
    except UnicodeDecodeError:
        script = []
    if not script or not all(l.split(" ", 1)[0] in ("out", "exit", "signal", "leak", "hang", "panic")
                             or l.startswith("[") for l in script):
        script = [f"out PASS {name}", "exit 0"]
    for line in script:
        if line.startswith("["):
            only, line = line[1:].split("] ", 1)
            if only != design:
                continue
        cmd, _, arg = line.partition(" ")
        if cmd == "out":
            out(arg)
        elif cmd == "exit":
            return arg
        elif cmd == "signal":
            out("fault: page fault at 0x0 (not present, write) rip=0x401000")
            return arg
        elif cmd == "leak":
            field, n = arg.split()
            acct[FIELDS[field]] += -int(n) if field == "frames" else int(n)
        elif cmd == "hang":
            for i in range(100):
                out(f"tick {i}")
            time.sleep(1000)
        elif cmd == "panic":
            out("KERNEL PANIC: Page fault at 0x0000000000000010 (not present, read)")
            out("backtrace:")
            sys.exit(37)
    return "0"
