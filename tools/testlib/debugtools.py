"""The `debug` suite: each serial-console debugging tool, exercised for real.

- trace:   `trace=<name>` prints the expected strace-like lines for hello.
- faults:  a user fault report names the process, the fault, and the
           function from the program's symbol table.
- monitor: Ctrl-] m while a thread sleeps in FUTEX_WAIT prints a report that
           shows that waiter (with its key and, under sticky, its pinned frame).
- gdb:     the gdb script loads and resolves a kernel symbol in batch mode.
"""
import os
import re
import subprocess
import tempfile
import threading
import time

from . import cpio, guestrun
from .core import Result

SUITE = "debug"


def tests(ctx):
    checks = [("trace", _trace), ("fault_report", _fault_report), ("monitor", _monitor), ("gdb", _gdb)]
    for name, check in checks:
        if not ctx.wanted(SUITE, name):
            continue
        start = time.monotonic()
        try:
            ok, reason, detail = check(ctx)
        except Exception as e:  # a broken check is a failure, never a crash of the runner
            ok, reason, detail = False, f"{type(e).__name__}: {e}", []
        yield Result(SUITE, name, "pass" if ok else "fail", reason, time.monotonic() - start,
                     detail_title="serial log (tail)" if detail else "", detail=detail[-40:])


def _guest(ctx, name):
    return os.path.join(ctx.build, "guest", name)


def _log(ctx, name):
    return os.path.join(ctx.log_dir, SUITE, name + ".log")


def _missing(text, patterns):
    return [p for p in patterns if not re.search(p, text, re.M)]


def _trace(ctx):
    run = guestrun.boot(guestrun.Config.for_context(ctx, [_guest(ctx, "hello")], trace="hello"), _log(ctx, "trace"))
    text = run.text
    expected = [
        r"^trace: \[\d+/\d+\] arch_prctl\(ARCH_SET_FS, 0x[0-9a-f]+\) = 0 <\d+ us>$",
        r"^trace: \[\d+/\d+\] set_tid_address\(0x[0-9a-f]+\) = \d+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] mmap\(NULL, 0x[0-9a-f]+, PROT_NONE, MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0x0\) = 0x[0-9a-f]+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] clone\(CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_SIGHAND\|CLONE_THREAD\|.*\) = \d+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] write\(1, 0x[0-9a-f]+, \d+\) = \d+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] writev\(1, 0x[0-9a-f]+, 2\) = \d+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] exit_group\(0\) \.\.\.$",
    ]
    missing = _missing(text, expected)
    # Filtering: init (pid 1) is not hello, so none of its calls may appear.
    if re.search(r"^trace: \[1/", text, re.M):
        missing.append("no line for init (trace=hello must filter by name)")
    return not missing, "missing: " + "; ".join(missing) if missing else "", run.tail()


def _fault_report(ctx):
    run = guestrun.boot(guestrun.Config.for_context(ctx, [_guest(ctx, "fork_faults")]), _log(ctx, "fault_report"))
    expected = [
        r"^fault: pid \d+ \(fork_faults\) tid \d+ SIGSEGV Page fault \(#PF\) not-present write user-mode "
        r"at rip 0x[0-9a-f]+ <null_deref\+0x[0-9a-f]+> addr 0x0+ \(no region\) rsp 0x[0-9a-f]+$",
        r"^fault: pid \d+ \(fork_faults\) tid \d+ SIGILL Invalid opcode \(#UD\) at rip 0x[0-9a-f]+ <ud2",
        r"^fault: pid \d+ \(fork_faults\) tid \d+ SIGFPE Divide error \(#DE\) at rip 0x[0-9a-f]+ <divide_by_zero",
    ]
    missing = _missing(run.text, expected)
    return not missing, "missing: " + "; ".join(missing) if missing else "", run.tail()


def _monitor(ctx):
    """Boots debug_waiter with a pipe on the console, sends Ctrl-] m once it
    waits, and reads the report."""
    cfg = guestrun.Config.for_context(ctx, [_guest(ctx, "debug_waiter")])
    files = [("init", open(cfg.init, "rb").read()), ("debug_waiter", open(cfg.programs[0], "rb").read())]
    log_path = _log(ctx, "monitor")
    with tempfile.TemporaryDirectory(prefix="sticky-monitor.") as tmp:
        initrd = os.path.join(tmp, "initrd.cpio")
        cpio.write(initrd, files)
        argv = [cfg.qemu_run, "--timeout", "60", "--initrd", initrd, cfg.kernel, "run=debug_waiter"]
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        lines = []
        killer = threading.Timer(90, proc.kill)
        killer.start()
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                lines.append(line)
                if line.startswith("debug_waiter: waiting on futex"):
                    time.sleep(0.5)   # let it reach FUTEX_WAIT
                    proc.stdin.write(b"\x1dm")
                    proc.stdin.flush()
            proc.wait()
        finally:
            killer.cancel()
    with open(log_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    text = "\n".join(lines)
    expected = [
        r"^=== stickyos monitor: uptime [\d.]+ s ===$",
        r"^  pid \d+ \(debug_waiter\) parent 1 alive, \d+ threads$",
        r"^    tid \d+ blocked: futex, deadline in [\d.]+ s at 0x[0-9a-f]+$",
        r"^  futex waiter tid \d+ pid \d+ uaddr 0x[0-9a-f]+ key phys\(frame 0x[0-9a-f]+ \+0x[0-9a-f]+\) "
        r"pinned frame 0x[0-9a-f]+$",
        r"^frames: \d+ free, \d+ used, \d+ shared, [1-9]\d* pinned; kernel heap \d+ bytes",
        r"^=== end of monitor report ===$",
        r"^PASS debug_waiter$",
    ]
    missing = _missing(text, expected)
    return not missing, "missing: " + "; ".join(missing) if missing else "", lines


def _gdb(ctx):
    try:
        from . import gdbtest
    except ImportError:
        return False, "tools/testlib/gdbtest.py is missing", []
    ok, reason = gdbtest.run_gdb_batch_test(ctx.build)
    return ok, reason, []
