"""The in-kernel self-test suite. Protocol: tests/qemu/README.md."""
import os
import re

from .core import Result, run_logged

SUITE = "qemu"
NAME = re.compile(r"[A-Za-z0-9_.-]+")
# 137: timeout(1) had to SIGKILL a QEMU that ignored SIGTERM (or the OOM killer struck).
EXIT_NAMES = {33: "success", 35: "failure", 37: "kernel panic", 124: "timeout", 137: "killed"}


def argv(qemu_run, kernel, cmdline=(), timeout=None, mem=None, initrd=None, machine=None, gdb=False,
         klog=None, terminal=False, icount=False, smp=None):
    """The tools/qemu-run command line for one boot; every boot the tools make
    is built here (`cmdline`: the kernel command line, a list of words)."""
    words = [qemu_run]
    if timeout is not None:
        words += ["--timeout", f"{timeout:g}"]
    if mem:
        words += ["--mem", mem]
    if machine:
        words += ["--machine", machine]
    if smp and smp != 1:
        words += ["--smp", str(smp)]
    if initrd:
        words += ["--initrd", initrd]
    if gdb:
        words.append("--gdb")
    if klog:
        words += ["--klog", klog]
    if terminal:
        words.append("--terminal")
    if icount:
        words.append("--icount")
    return words + [kernel, *cmdline]


def run_kernel(ctx, cmdline, log_name):
    """Boots the kernel alone (no initramfs) with `cmdline`, a list of words."""
    # qemu-run's own timeout sends SIGTERM then SIGKILL 5 s later; ours only
    # fires if that machinery itself hangs.
    return run_logged(argv(ctx.qemu_run, ctx.kernel, cmdline, timeout=ctx.timeout), ctx.timeout + 15,
                      os.path.join(ctx.log_dir, log_name + ".log"), cwd=ctx.root)


def describe_exit(rc):
    return f"exit {rc} = {EXIT_NAMES[rc]}" if rc in EXIT_NAMES else f"exit {rc}"


def parse_list(lines):
    """Returns ([(name, expect, needles)], [problems]) or None if the listing
    never completed (no SELFTEST-END)."""
    tests, problems, seen = [], [], set()
    for line in lines:
        line = line.rstrip()
        if line == "SELFTEST-END":
            return tests, problems
        if not line.startswith("SELFTEST "):
            continue
        parts = line.split(" ", 3)
        # Names become file names (build/test-logs/<name>.log): keep them plain.
        if len(parts) < 3 or parts[2] not in ("pass", "panic") or not NAME.fullmatch(parts[1]):
            problems.append(f"malformed line: {line!r}")
        elif parts[1] in seen:
            problems.append(f"test listed twice: {parts[1]}")
        else:
            seen.add(parts[1])
            needles = [n for n in parts[3].split("|") if n] if len(parts) == 4 else []
            tests.append((parts[1], parts[2], needles))
    return None


def verdict(name, expect, needles, run):
    """Returns None if the test passed, else the reason it failed."""
    if run.timed_out:
        return "timed out: the kernel hung or never exited"
    text = run.text
    has = lambda prefix: re.search(rf"^{re.escape(prefix)}\s*$", text, re.M)
    panic = next((l.strip() for l in run.lines if "KERNEL PANIC" in l), None)
    if expect == "pass":
        if has(f"TEST-PASS {name}") and run.rc == 33:
            return None
        failed = re.search(rf"^TEST-FAIL {re.escape(name)}: ?(.*)$", text, re.M)
        if failed:
            return f"TEST-FAIL: {failed.group(1).strip()}"
        other = re.search(r"^TEST-FAIL (.*)$", text, re.M)   # e.g. "unknown self-test: x"
        if other:
            return f"TEST-FAIL {other.group(1).strip()}"
        if panic:
            return panic
        if not has(f"TEST-BEGIN {name}"):
            return f"kernel never printed TEST-BEGIN {name}, {describe_exit(run.rc)}"
        if has(f"TEST-PASS {name}"):
            return f"TEST-PASS printed but {describe_exit(run.rc)}, expected exit 33"
        return f"no TEST-PASS line, {describe_exit(run.rc)}"
    # A panic test proves the fault path works: a clean exit is a failure.
    problems = []
    if run.rc != 37:
        problems.append(f"expected a kernel panic (exit 37), got {describe_exit(run.rc)}")
    if not panic:
        problems.append("no KERNEL PANIC line")
        return "; ".join(problems)
    missing = [n for n in needles if n not in text]
    if missing:
        problems.append("output lacks " + ", ".join(repr(n) for n in missing))
    return "; ".join(problems) or None


def selftests(ctx):
    if not os.path.isfile(ctx.kernel):
        yield Result(SUITE, "list", "fail", f"{ctx.rel(ctx.kernel)} not found: run `make kernel`")
        return
    listing = run_kernel(ctx, ["test=list"], "list")
    log = ctx.rel(os.path.join(ctx.log_dir, "list.log"))
    parsed = None if listing.timed_out else parse_list(listing.lines)
    if parsed is None:
        why = "timed out" if listing.timed_out else f"no SELFTEST-END line, {describe_exit(listing.rc)}"
        yield Result(SUITE, "list", "fail", f"kernel did not list its self-tests: {why}",
                     listing.secs, f"tail of the serial log ({log})", listing.tail())
        return
    tests, problems = parsed
    if listing.rc != 33:
        problems.insert(0, f"listing ended with {describe_exit(listing.rc)}, expected exit 33")
    if problems:
        # Still run the tests that were listed well: one bad line shouldn't hide them.
        yield Result(SUITE, "list", "fail", "bad self-test listing:\n" + "\n".join(problems),
                     listing.secs, f"tail of the serial log ({log})", listing.tail())
    for name, expect, needles in tests:
        if not ctx.wanted(SUITE, name):
            continue
        run = run_kernel(ctx, [f"test={name}"], name)
        reason = verdict(name, expect, needles, run)
        if reason is None:
            yield Result(SUITE, name, "pass", secs=run.secs)
        else:
            log = ctx.rel(os.path.join(ctx.log_dir, name + ".log"))
            yield Result(SUITE, name, "fail", reason, run.secs,
                         f"tail of the serial log ({log})", run.tail())
