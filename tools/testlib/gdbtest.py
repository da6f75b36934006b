"""The gdb helpers (tools/gdb) against the real kernel: run_gdb_batch_test.

Two stages, each a `gdb -batch` run with hard time limits:
1. No QEMU: tools/gdb/stickyos.py loads build/kernel.elf, its commands are
   registered, and gdb resolves kernel symbols to the addresses `nm` reports.
2. QEMU paused with the gdb stub on a free port (STICKY_GDB_PORT, which
   tools/qemu-run honours), booting init alone: break at kmain, continue,
   check the hit and `sticky-current` (the boot thread); then break in the
   syscall dispatcher and check that `sticky-current` names init (pid 1),
   and that `sticky-walk kmain` finds kmain's physical address.
"""
import os
import re
import shlex
import shutil
import socket
import subprocess

from . import cpio, qemu
from .core import run_logged

KERNEL_VMA = 0xFFFFFFFF80000000
STATIC_SYMBOLS = ("kmain", "syscall_dispatch", "kernel_debug_block")
COMMANDS = ("sticky-connect", "sticky-current", "sticky-walk", "sticky-bt", "sticky-break")
GDB_LIMIT = 30          # seconds for one gdb run
QEMU_GUEST_LIMIT = 40   # tools/qemu-run --timeout: QEMU never outlives the test by much
MARK = "@@sticky-gdbtest"


def run_gdb_batch_test(build_dir, smp=1):
    """-> (ok, reason). Never hangs: every child has a time limit and is killed with its group."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build_dir = os.path.abspath(build_dir)
    kernel = os.path.join(build_dir, "kernel.elf")
    if not shutil.which("gdb"):
        return False, "gdb not found on PATH"
    if not os.path.isfile(kernel):
        return False, f"{kernel} not found: run `make kernel`"
    try:
        symbols = nm_symbols(kernel)
    except (OSError, subprocess.SubprocessError) as e:
        return False, f"nm {kernel}: {e}"

    ok, reason = static_stage(root, kernel, symbols)
    if not ok:
        return False, reason
    ok, qemu_reason = qemu_stage(root, build_dir, kernel, symbols, smp)
    return ok, f"{reason}; {qemu_reason}"


def nm_symbols(kernel):
    out = subprocess.run(["nm", kernel], capture_output=True, text=True, timeout=20, check=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3:
            symbols.setdefault(parts[2], int(parts[0], 16))
    return symbols


def gdb_argv(root, commands):
    argv = ["gdb", "-batch", "-nx", "-x", os.path.join(root, "tools/gdb/stickyos.py")]
    for c in commands:
        argv += ["-ex", c]
    return argv


def sections(output):
    """gdb output split at `echo MARK name` lines -> {name: text}."""
    result, name = {}, None
    for line in output.splitlines():
        if line.startswith(MARK + " "):
            name = line[len(MARK) + 1:].strip()
            result[name] = ""
        elif name is not None:
            result[name] += line + "\n"
    return result


def mark(name):
    return f"echo {MARK} {name}\\n"


def static_stage(root, kernel, symbols):
    missing = [s for s in STATIC_SYMBOLS if s not in symbols]
    if missing:
        return False, f"nm lacks {', '.join(missing)}"
    commands = [mark("commands"), "apropos sticky-"]
    for s in STATIC_SYMBOLS:
        commands += [mark(s), f"python print(hex(int(gdb.parse_and_eval('(unsigned long)&{s}'))))"]
    env = dict(os.environ, STICKY_KERNEL=kernel)
    run = run_logged(gdb_argv(root, commands), GDB_LIMIT, env=env)
    out = run.text
    if run.timed_out:
        return False, f"gdb -batch (no QEMU) timed out after {GDB_LIMIT}s"
    found = sections(out)
    absent = [c for c in COMMANDS if c not in found.get("commands", "")]
    if absent:
        return False, f"stickyos.py did not define {', '.join(absent)}; gdb said: {tail(out)}"
    for s in STATIC_SYMBOLS:
        got = re.search(r"0x[0-9a-f]+", found.get(s, ""))
        if not got or int(got.group(0), 16) != symbols[s]:
            return False, (f"gdb resolves {s} to {got.group(0) if got else 'nothing'}, "
                           f"nm says {symbols[s]:#x}; gdb said: {tail(found.get(s, out))}")
    return True, f"gdb resolves {', '.join(STATIC_SYMBOLS)} as nm does"


def qemu_stage(root, build_dir, kernel, symbols, smp=1):
    initrd = os.path.join(build_dir, "gdb", "test-initrd.cpio")
    init = os.path.join(build_dir, "user", "init")
    if not os.path.isfile(init):
        return False, f"{init} not found: run `make init`"
    os.makedirs(os.path.dirname(initrd), exist_ok=True)
    with open(init, "rb") as f:
        cpio.write(initrd, [("init", f.read())])      # its first syscall is the one checked

    port = free_port()
    kmain = symbols["kmain"]
    commands = ["set tcp connect-timeout 10", f"sticky-connect {port}",
                "break kmain", "continue", mark("kmain"), "python print('pc', hex(int(gdb.parse_and_eval('$pc'))))",
                mark("current-boot"), "sticky-current",
                "delete", "break syscall_dispatch", "continue", mark("syscall"),
                "python print('pc', hex(int(gdb.parse_and_eval('$pc'))))",
                mark("current-init"), "sticky-current", mark("walk"), "sticky-walk kmain",
                mark("end"), "kill"]
    serial_log = os.path.join(build_dir, "test-logs", "gdb-serial.log")
    os.makedirs(os.path.dirname(serial_log), exist_ok=True)
    qemu_argv = qemu.argv(os.path.join(root, "tools/qemu-run"), kernel, timeout=QEMU_GUEST_LIMIT,
                          initrd=initrd, gdb=True, smp=smp)
    # One shell owns QEMU and gdb: QEMU in the background, gdb attached to it.
    script = (f"{shlex.join(qemu_argv)} </dev/null >{shlex.quote(serial_log)} 2>&1 & q=$!; "
              f"{shlex.join(gdb_argv(root, commands))}; kill $q 2>/dev/null; wait $q 2>/dev/null; exit 0")
    env = dict(os.environ, STICKY_KERNEL=kernel, STICKY_GDB_PORT=str(port))
    run = run_logged(["bash", "-c", script], GDB_LIMIT + 15, env=env)
    out = run.text
    if run.timed_out:
        return False, f"QEMU+gdb run (port {port}) timed out; gdb said: {tail(out)}"
    found = sections(out)

    pc = re.search(r"pc (0x[0-9a-f]+)", found.get("kmain", ""))
    if not pc or int(pc.group(1), 16) != kmain:
        return False, f"breakpoint at kmain ({kmain:#x}) not hit (port {port}); gdb said: {tail(out)}"
    boot = found.get("current-boot", "")
    if "tid 0  pid 0  name 'boot'" not in boot:
        return False, f"sticky-current at kmain: expected the boot thread, got: {tail(boot)}"
    pc = re.search(r"pc (0x[0-9a-f]+)", found.get("syscall", ""))
    if not pc or int(pc.group(1), 16) != symbols["syscall_dispatch"]:
        return False, f"breakpoint at syscall_dispatch not hit; gdb said: {tail(out)}"
    current = found.get("current-init", "")
    if "pid 1  name 'init'" not in current:
        return False, f"sticky-current at init's first syscall: expected pid 1 'init', got: {tail(current)}"
    want = f"-> physical {kmain - KERNEL_VMA:#x}"
    if want not in found.get("walk", ""):
        return False, f"sticky-walk kmain: expected '{want}', got: {tail(found.get('walk', ''))}"
    return True, (f"QEMU (port {port}): kmain breakpoint hit, sticky-current shows the boot thread, "
                  "then init at its first syscall, sticky-walk kmain finds its physical address")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(text, n=6):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " | ".join(lines[-n:]) if lines else "(nothing)"

