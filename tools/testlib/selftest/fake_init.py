"""The fake qemu-system-x86_64's kernel when it is given an -initrd: plays
init (see tools/testlib/guestrun.py and kernel/user/init.c for the protocol)
over the archive it was given, so the tests exercise the real cpio writer,
init's arguments and environment files, and the command line. With
console=ttyS1 and a second serial port (run-guest --quiet) the kernel's and
init's lines go to that port's file, as the real kernel sends them.

A program's file is a script, after a first line "\x7fELF" (anything else
runs as `out PASS <name>`, `exit 0`):
    out TEXT            print TEXT
    args                print its argv, one `arg[i]=WORD` line each
    env NAME            print `NAME=value` from its environment (`NAME unset`)
    read                read a line from the console, print `read: LINE` (`read: EOF` at Ctrl-D)
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


klog = out                              # the kernel's console: the terminal unless console=ttyS1


def main(initrd, cmdline, second_port=None):
    global klog
    opts = dict(w.split("=", 1) for w in cmdline if "=" in w)
    if opts.get("console") == "ttyS1" and second_port:
        port = open(second_port, "w")
        klog = lambda s: (port.write(s + "\r\n"), port.flush())
    design = opts.get("futex", "sticky")
    klog("stickyos 0.1.0 (fake)")
    klog("cmdline: " + " ".join(cmdline))
    with open(initrd, "rb") as f:
        files = {name: data for name, _, data in cpio.read(f.read())}
    if "init" not in files:
        klog("KERNEL PANIC: no /init in the initramfs")
        sys.exit(37)
    words = opts["run"].split(",") if "run" in opts else []
    words += strings(files.get("init.args"))
    env = strings(files.get("init.env")) + ["PATH=/", "TERM=dumb"]
    commands = commands_of(words) if words else [["hello"], ["threads"]] + ([["bin/sh"]] if "bin/sh" in files else [])
    acct = [1000, 5000, 1, 0]
    show = lambda: klog("acct free-frames=%d heap-bytes=%d processes=%d pinned-frames=%d" % tuple(acct))
    klog(f"init: running {len(commands)} programs")
    show()
    ok = True
    for argv in commands:
        path = argv[0]
        argv = [path.rsplit("/", 1)[-1]] + argv[1:]      # init: argv[0] and the report say the last component
        name = argv[0]
        if path not in files:
            out(f"init: cannot run {name}: No such file or directory")
            status = "127"
        else:
            status = act(argv, files[path], design, acct, env)
        klog(f"exit {name} {status}")
        show()
        ok = ok and status == "0"
    klog(f"init: exited with status {0 if ok else 1}")
    sys.exit(33 if ok else 35)


def strings(data):
    return [w.decode() for w in data.split(b"\0")[:-1]] if data else []


def commands_of(words):
    """init's arguments (kernel/user/init.c): NAME, or --argc=N and N words."""
    commands, i = [], 0
    while i < len(words):
        if words[i].startswith("--argc="):
            n = int(words[i][len("--argc="):])
            commands.append(words[i + 1:i + 1 + n])
            i += 1 + n
        else:
            commands.append([words[i]])
            i += 1
    return commands


def act(argv, data, design, acct, env):
    name = argv[0]
    try:
        script = data.decode().splitlines()
    except UnicodeDecodeError:
        script = []
    if script[:1] == ["\x7fELF"]:      # the tests' scripts pass run-guest's ELF check
        script = script[1:]
    commands = ("out", "args", "env", "read", "exit", "signal", "leak", "hang", "panic")
    if not script or not all(l.split(" ", 1)[0] in commands or l.startswith("[") for l in script):
        script = [f"out PASS {name}", "exit 0"]
    for line in script:
        if line.startswith("["):
            only, line = line[1:].split("] ", 1)
            if only != design:
                continue
        cmd, _, arg = line.partition(" ")
        if cmd == "out":
            out(arg)
        elif cmd == "args":
            for i, word in enumerate(argv):
                out(f"arg[{i}]={word}")
        elif cmd == "env":
            value = next((e.split("=", 1)[1] for e in env if e.startswith(arg + "=")), None)
            out(f"{arg} unset" if value is None else f"{arg}={value}")
        elif cmd == "read":
            out("read: " + read_line())
        elif cmd == "exit":
            return arg
        elif cmd == "signal":
            klog("fault: page fault at 0x0 (not present, write) rip=0x401000")
            return arg
        elif cmd == "leak":
            field, n = arg.split()
            acct[FIELDS[field]] += -int(n) if field == "frames" else int(n)
        elif cmd == "hang":
            for i in range(100):
                out(f"tick {i}")
            time.sleep(1000)
        elif cmd == "panic":
            klog("KERNEL PANIC: Page fault at 0x0000000000000010 (not present, read)")
            klog("backtrace:")
            sys.exit(37)
    return "0"


def read_line():
    """A line from the console as a canonical-mode terminal gives it: up to
    a newline, or what was typed before Ctrl-D (EOF when nothing was)."""
    line = b""
    while (b := os.read(0, 1)) and b not in (b"\n", b"\x04"):
        line += b
    if b == b"\x04" and not line:
        return "EOF"
    return line.decode()
