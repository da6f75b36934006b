"""The gdb helpers (tools/gdb) against the real kernel: run_gdb_batch_test.

Two stages, each a `gdb -batch` run with hard time limits:
1. No QEMU: tools/gdb/stickyos.py loads build/kernel.elf, its commands are
   registered, and gdb resolves kernel symbols to the addresses `nm` reports.
2. QEMU paused with the gdb stub: break at kmain, continue, check the hit and
   `sticky-current` (the boot thread); with an initramfs (init alone) also break in the syscall dispatcher and check that
   `sticky-current` names init (pid 1) once the scheduler updates the debug
   block, and that `sticky-walk kmain` finds kmain's physical address.
   Stage 2 needs a private port for the stub: a tools/qemu-run that honours
   STICKY_GDB_PORT, or else a private network namespace (unshare -rn) where
   the default port 1234 cannot collide; with neither it is skipped, and the
   reason says so.
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time

from . import cpio, qemu

KERNEL_VMA = 0xFFFFFFFF80000000
STATIC_SYMBOLS = ("kmain", "syscall_dispatch", "kernel_debug_block")
COMMANDS = ("sticky-connect", "sticky-current", "sticky-walk", "sticky-bt", "sticky-break")
GDB_LIMIT = 30          # seconds for one gdb run
QEMU_GUEST_LIMIT = 40   # tools/qemu-run --timeout: QEMU never outlives the test by much
MARK = "@@sticky-gdbtest"


def run_gdb_batch_test(build_dir):
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
    ok, qemu_reason = qemu_stage(root, build_dir, kernel, symbols)
    return ok, f"{reason}; {qemu_reason}"


def tests(ctx):
    """The same as a tools/run-tests suite: SUITES["gdb"] = gdbtest.tests."""
    from .core import Result
    if not ctx.wanted("gdb", "batch"):
        return
    start = time.monotonic()
    ok, reason = run_gdb_batch_test(ctx.build)
    yield Result("gdb", "batch", "pass" if ok else "fail", "" if ok else reason, time.monotonic() - start)


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
    rc, out = run_limited(gdb_argv(root, commands), GDB_LIMIT, env=env)
    if rc == 124:
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


def qemu_stage(root, build_dir, kernel, symbols):
    qemu_run = os.path.join(root, "tools/qemu-run")
    with open(qemu_run, encoding="utf-8") as f:
        port_env = "STICKY_GDB_PORT" in f.read()
    netns = not port_env and namespace_available()
    if not port_env and not netns:
        return True, "QEMU stage skipped: no private gdb port (tools/qemu-run ignores STICKY_GDB_PORT, unshare -rn fails)"

    initrd, initrd_note = make_initrd(root, build_dir)
    port = free_port() if port_env else 1234
    kmain = symbols["kmain"]
    commands = ["set tcp connect-timeout 10", f"sticky-connect {port}",
                "break kmain", "continue", mark("kmain"), "python print('pc', hex(int(gdb.parse_and_eval('$pc'))))",
                mark("current-boot"), "sticky-current"]
    if initrd:
        commands += ["delete", "break syscall_dispatch", "continue", mark("syscall"),
                     "python print('pc', hex(int(gdb.parse_and_eval('$pc'))))",
                     mark("current-init"), "sticky-current", mark("walk"), "sticky-walk kmain"]
    commands += [mark("end"), "kill"]

    serial_log = os.path.join(build_dir, "test-logs", "gdb-serial.log")
    os.makedirs(os.path.dirname(serial_log), exist_ok=True)
    qemu_argv = qemu.argv(qemu_run, kernel, timeout=QEMU_GUEST_LIMIT, initrd=initrd, gdb=True)
    gdb = gdb_argv(root, commands)
    # One shell owns QEMU and gdb, so the namespace variant shares one loopback.
    script = (f"{shlex.join(qemu_argv)} </dev/null >{shlex.quote(serial_log)} 2>&1 & q=$!; "
              f"{shlex.join(gdb)}; kill $q 2>/dev/null; wait $q 2>/dev/null; exit 0")
    if netns:
        argv = ["unshare", "-rn", "bash", "-c", "ip link set lo up && " + script]
    else:
        argv = ["bash", "-c", script]
    env = dict(os.environ, STICKY_KERNEL=kernel, STICKY_GDB_PORT=str(port))
    rc, out = run_limited(argv, GDB_LIMIT + 15, env=env)
    where = "private network namespace" if netns else f"port {port}"
    if rc == 124:
        return False, f"QEMU+gdb run ({where}) timed out; gdb said: {tail(out)}"
    found = sections(out)

    pc = re.search(r"pc (0x[0-9a-f]+)", found.get("kmain", ""))
    if not pc or int(pc.group(1), 16) != kmain:
        return False, f"breakpoint at kmain ({kmain:#x}) not hit ({where}); gdb said: {tail(out)}"
    boot = found.get("current-boot", "")
    if "tid 0  pid 0  name 'boot'" not in boot:
        return False, f"sticky-current at kmain: expected the boot thread, got: {tail(boot)}"
    checked = ["kmain breakpoint hit", "sticky-current shows the boot thread"]
    if initrd:
        pc = re.search(r"pc (0x[0-9a-f]+)", found.get("syscall", ""))
        if not pc or int(pc.group(1), 16) != symbols["syscall_dispatch"]:
            return False, f"breakpoint at syscall_dispatch not hit; gdb said: {tail(out)}"
        current = found.get("current-init", "")
        if any("DebugBlock__Update" in s for s in symbols):
            if "pid 1  name 'init'" not in current:
                return False, f"sticky-current at init's first syscall: expected pid 1 'init', got: {tail(current)}"
            checked.append("sticky-current names init at its first syscall")
        else:
            checked.append("(scheduler does not call DebugBlock.Update yet: process not checked)")
        want = f"-> physical {kmain - KERNEL_VMA:#x}"
        if want not in found.get("walk", ""):
            return False, f"sticky-walk kmain: expected '{want}', got: {tail(found.get('walk', ''))}"
        checked.append("sticky-walk kmain finds its physical address")
    elif initrd_note:
        checked.append(initrd_note)
    return True, f"QEMU ({where}): " + ", ".join(checked)


def make_initrd(root, build_dir):
    """-> (path or None, why not): build/user/init alone, whose first syscall is the one checked."""
    init = os.path.join(build_dir, "user", "init")
    if not os.path.isfile(init):
        return None, f"no initramfs ({init} not found): process checks skipped"
    path = os.path.join(build_dir, "gdb", "test-initrd.cpio")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(init, "rb") as f:
        cpio.write(path, [("init", f.read())])
    return path, ""


def namespace_available():
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    rc, _ = run_limited(["unshare", "-rn", "ip", "link", "set", "lo", "up"], 10)
    return rc == 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_limited(argv, limit, env=None):
    """-> (rc, combined output); rc 124 if the limit struck (the whole process group is killed)."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    except OSError as e:
        return 127, str(e)
    try:
        out, _ = proc.communicate(timeout=limit)
        return proc.returncode, out.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, _ = proc.communicate()
        return 124, out.decode("utf-8", "replace")
    except BaseException:
        kill_group(proc)
        proc.wait()
        raise


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def tail(text, n=6):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " | ".join(lines[-n:]) if lines else "(nothing)"

