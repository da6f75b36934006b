"""Runs user programs on stickyos and judges the run: the logic behind
tools/run-guest, shared with the guest suite (guest.py).

One boot: init (build/user/init) and the programs go into a cpio initramfs
under their basenames; the kernel command line is `run=a,b [futex=X]
[trace=Y] acct`; the kernel starts /init, which runs each program and prints
`exit <name> <status>`, plus (`acct`) the kernel's `acct ...` line before the
first program and after each one. The run is as expected iff every program ended as
expected, no acct line differs from the baseline, nothing panicked or hung,
and QEMU exited 33 (35 when a program was expected to fail: init exits 1).
"""
import dataclasses
import os
import re
import tempfile

from . import cpio, qemu
from .core import run_logged
from .qemu import describe_exit

DESIGNS = ("nosticky", "sticky", "virtkey")       # futex=...; the kernel's default is sticky
DEFAULT_PROGRAMS = ("hello", "threads")           # init's built-in list when run= is absent
DEFAULT_TIMEOUT = 60.0
DEFAULT_MEM = "128M"
TRACE_ALL = "all"                                 # what a bare --trace asks the kernel for
CMDLINE_CAPACITY = 1023                           # kernel/platform/CommandLine.cs keeps 1024 bytes with the NUL
NAME = re.compile(r"[A-Za-z0-9_.+-]+")            # a word of run=a,b: no comma, space or "="

EXIT_LINE = re.compile(r"^exit (\S+) (\d+|SIG[A-Z0-9]+)\s*$")
# QEMU's own words when a signal stops it: it then exits 0, as after a guest reset.
QEMU_KILLED = re.compile(r"^qemu-system-\S+: terminating on signal (\d+)(?: from pid (\d+))?")
ACCT_LINE = re.compile(r"^acct((?: [a-z-]+=\d+)+)\s*$")
# (field, message for a positive difference, sign: +1 when a leak makes the value grow).
# The first four are on every acct line; a field missing from either of two lines is not compared.
ACCT_FIELDS = (("free-frames", "frames", -1), ("heap-bytes", "heap bytes", +1),
               ("processes", "processes", +1), ("pinned-frames", "pinned frames", +1),
               ("inodes", "inodes", +1), ("open-files", "open files", +1))
ACCT_REQUIRED = ("free-frames", "heap-bytes", "processes", "pinned-frames")


class UsageError(Exception):
    """A request that cannot be booted (exit status 2 in tools/run-guest)."""


@dataclasses.dataclass
class Config:
    kernel: str
    init: str
    qemu_run: str
    programs: list[str]                 # host paths, packed under their basenames
    send_run: bool = True               # False: no run=, init runs its default list
    futex: str | None = None            # None: the kernel's default
    trace: str | None = None
    log: str | None = None              # kernel log= spec
    mem: str = DEFAULT_MEM
    timeout: float = DEFAULT_TIMEOUT
    smp: int = 1
    extra_files: list = dataclasses.field(default_factory=list)   # more initramfs members: (name, mode, bytes)

    @classmethod
    def for_context(cls, ctx, programs, **options):
        """A boot of the test run's kernel and init (core.Context); the
        timeout is the run's unless `options` names another."""
        options.setdefault("timeout", ctx.timeout)
        return cls(kernel=ctx.kernel, init=ctx.init, qemu_run=ctx.qemu_run, programs=programs, **options)

    def check(self):
        """Raises UsageError for anything the kernel cannot run."""
        if self.smp != 1:
            raise UsageError(f"--smp={self.smp}: SMP is not supported yet (only --smp=1)")
        if self.futex is not None and self.futex not in DESIGNS:
            raise UsageError(f"--futex={self.futex}: expected one of {', '.join(DESIGNS)}")
        if self.trace is not None and not re.fullmatch(r"[^\s]+", self.trace):
            raise UsageError(f"--trace={self.trace!r}: expected a pid or a program name")
        if self.log is not None and not re.fullmatch(r"[a-z:,]+", self.log):
            raise UsageError(f"--log={self.log!r}: expected LEVEL or SUBSYSTEM:LEVEL,... (docs/debugging.md)")
        if not self.timeout > 0:
            raise UsageError("--timeout must be a positive number of seconds")
        for what, path in (("kernel", self.kernel), ("init", self.init)):
            if not os.path.isfile(path):
                raise UsageError(f"{what} {path} not found (run `make`)")
        if self.send_run and not self.programs:
            raise UsageError("no program to run")
        self.names()
        line = " ".join(self.cmdline())
        if len(line) > CMDLINE_CAPACITY:
            raise UsageError(f"kernel command line is {len(line)} bytes, the kernel keeps {CMDLINE_CAPACITY}")

    def names(self):
        """Basenames of the programs, as init will run them."""
        names, seen = [], {}
        for path in self.programs:
            name = os.path.basename(path)
            if not os.path.isfile(path):
                raise UsageError(f"program {path} not found")
            if not NAME.fullmatch(name) or name == "init":
                raise UsageError(f"program {path}: the name {name!r} cannot be a run= entry "
                                 "(letters, digits, _ . + - only; not 'init')")
            if name in seen:
                raise UsageError(f"programs {seen[name]} and {path} have the same basename {name!r}")
            seen[name] = path
            names.append(name)
        return names

    def expected_names(self):
        return self.names() if self.send_run else list(DEFAULT_PROGRAMS)

    def cmdline(self):
        words = []
        if self.send_run:
            words.append("run=" + ",".join(self.names()))
        if self.futex:
            words.append(f"futex={self.futex}")
        if self.trace:
            words.append(f"trace={self.trace}")
        if self.log:
            words.append(f"log={self.log}")
        words.append("acct")            # the kernel's acct lines, for the leak check
        return words


def boot(cfg, log_path=None, echo=None, cwd=None, keep_stdin=False, feed=None, env=None):
    """Packs the initramfs and boots it once -> core.Run. `echo` streams the
    serial output, `feed` answers console lines with keys (see run_logged);
    `keep_stdin` connects stdin to the console; `env` replaces the environment
    of tools/qemu-run (e.g. STICKY_QEMU_CPU)."""
    files = [("init", _read(cfg.init))]
    files += [(name, _read(path)) for name, path in zip(cfg.names(), cfg.programs)]
    files += list(cfg.extra_files)
    with tempfile.TemporaryDirectory(prefix="sticky-initrd.") as tmp:
        initrd = os.path.join(tmp, "initrd.cpio")
        cpio.write(initrd, files)
        argv = qemu.argv(cfg.qemu_run, cfg.kernel, cfg.cmdline(), timeout=cfg.timeout, mem=cfg.mem,
                         initrd=initrd)
        # qemu-run's timeout sends SIGTERM, then SIGKILL 5 s later; ours only
        # fires if that machinery itself hangs.
        return run_logged(argv, cfg.timeout + 15, log_path, cwd=cwd, env=env, echo=echo, keep_stdin=keep_stdin,
                          feed=feed)


def busybox_files(binary, applets):
    """Initramfs members for a busybox at /bin/busybox with a /bin/<applet>
    symlink per applet (a shell finds commands on PATH=/bin)."""
    return [("bin", cpio.MODE_DIRECTORY, b""), ("bin/busybox", cpio.MODE_EXECUTABLE, _read(binary))] + \
        [(f"bin/{a}", cpio.MODE_SYMLINK, b"busybox") for a in applets]


def program_files(paths):
    """Initramfs members for host programs at the same absolute paths (their
    directories must already be members, as bin/ is with busybox_files)."""
    return [(p.lstrip("/"), cpio.MODE_EXECUTABLE, _read(p)) for p in paths]


def _read(path):
    with open(path, "rb") as f:
        return f.read()


@dataclasses.dataclass
class Verdict:
    reasons: list[str]              # empty: the run went as expected
    kind: str                       # "ok" | "hang" | "killed" | "panic" | "leak" | "unexpected-pass" | "fail"
    statuses: dict[str, str]        # program -> status as init printed it

    @property
    def ok(self):
        return not self.reasons


# When several things went wrong, the matrix names the worst.
_SEVERITY = ("hang", "killed", "panic", "leak", "unexpected-pass", "fail")


def judge(expected, run, timeout):
    """expected: {program: "pass" | "fail" | "refused"} in run order ("fail":
    must print `FAIL <name>: ...` and exit 1; "refused": execve must fail, so
    init prints `init: cannot run <name>: ...` and exit 127). run: a
    core.Run. -> Verdict."""
    exits, fail_lines, cannot, faults = {}, {}, {}, {}
    accts = []                      # (program that ran just before, {field: value})
    extra = []
    last, pending_faults, panic, killed = None, [], None, None
    for line in run.lines:
        line = line.rstrip()
        if m := EXIT_LINE.match(line):
            name = m[1]
            if name in exits or name not in expected:
                extra.append(line)
            else:
                exits[name] = m[2]
                faults[name] = pending_faults
            last, pending_faults = name, []
        elif (m := ACCT_LINE.match(line)) and all(f"{f}=" in m[1] for f in ACCT_REQUIRED):
            accts.append((last, {k: int(v) for k, v in re.findall(r"([a-z-]+)=(\d+)", m[1])}))
        elif line.startswith("fault: "):
            pending_faults.append(line)
        elif m := re.match(r"^FAIL (\S+?): ", line):
            fail_lines.setdefault(m[1], line)
        elif m := re.match(r"^init: cannot run (\S+): ", line):
            cannot.setdefault(m[1], line)
        elif panic is None and "KERNEL PANIC" in line:
            panic = line.strip()
        elif killed is None and (m := QEMU_KILLED.match(line)):
            killed = f"signal {m[1]}" + (f" from pid {m[2]}" if m[2] else "")

    kinds, reasons = set(), []

    def problem(kind, reason):
        kinds.add(kind)
        reasons.append(reason)

    running = next((n for n in expected if n not in exits), None)
    if not accts and not exits:
        where = "before init started (no `acct` baseline line)"
    elif running:
        where = f"while {running} was running"
    else:
        where = "after every program exited"
    if run.timed_out:
        problem("hang", f"timed out after {timeout:g} s {where}")
    if panic or run.rc == 37:
        problem("panic", f"kernel panic {where}: {panic or 'QEMU ' + describe_exit(run.rc)}")
    if killed and not run.timed_out:
        # Exit status 0 then looks like a reset: say where it came from.
        problem("killed", f"QEMU was stopped by {killed} (from outside the guest, not the kernel) {where}")
    cut_short = run.timed_out or "panic" in kinds or "killed" in kinds

    for name, want in expected.items():
        status = exits.get(name)
        why = cannot.get(name) or fail_lines.get(name) or (faults.get(name) or [None])[0]
        detail = f" ({why})" if why else ""
        if status is None:
            if not cut_short:
                problem("fail", f"init never reported `exit {name}`" + detail)
        elif want == "pass" and status != "0":
            problem("fail", f"{name} exited {status}{detail}")
        elif want == "fail" and status == "0":
            problem("unexpected-pass", f"{name} exited 0, expected it to FAIL")
        elif want == "fail" and (status != "1" or name not in fail_lines):
            problem("fail", f"{name} exited {status}{detail}, expected `FAIL {name}: ...` and exit 1")
        elif want == "refused" and (status != "127" or name not in cannot):
            problem("fail", f"{name} exited {status}{detail}, expected `init: cannot run {name}: ...` and exit 127")
    for line in extra:
        problem("fail", f"unexpected line from init: {line!r}")

    for reason in _leaks(accts, exits, cut_short):
        problem("leak", reason)

    # A failed program already explains exit 35; anything else needs a reason.
    want_rc = 33 if all(w == "pass" for w in expected.values()) else 35
    if not cut_short and run.rc != want_rc and (not reasons or run.rc not in (33, 35)):
        problem("fail", f"QEMU {describe_exit(run.rc)}, expected {want_rc}")

    kind = next((k for k in _SEVERITY if k in kinds), "ok")
    return Verdict(reasons, kind, exits)


def _leaks(accts, exits, cut_short):
    """Each acct line after the baseline is compared with the one before it,
    so a leak is blamed on the program that caused it."""
    if not accts:
        return [] if cut_short or not exits else ["no `acct` line: cannot check for leaks"]
    reasons = []
    for (_, before), (name, after) in zip(accts, accts[1:]):
        for field, what, sign in ACCT_FIELDS:
            if field not in before or field not in after:
                continue
            grown = (after[field] - before[field]) * sign
            if grown > 0:
                reasons.append(f"leaked {grown} {what} after {name}")
            elif grown < 0:
                reasons.append(f"{field} went from {before[field]} to {after[field]} after {name}")
    reported = {name for name, _ in accts[1:]}
    if not cut_short:
        reasons += [f"no `acct` line after {name}" for name in exits if name not in reported]
    return reasons
