"""Runs user programs on stickyos and judges the run: the logic behind
tools/run-guest, shared with the guest suite (guest.py).

One boot: init (build/user/init) and the programs go into a cpio initramfs
under their basenames, with `init.args` (init's arguments: the command lines
to run) and `init.env` (its environment, which the programs inherit); the
kernel starts /init with them (kernel/proc/InitProcess.cs). init runs each
command line and reports `exit <name> <status>`, plus (`acct` on the kernel
command line) the kernel's `acct ...` line before the first program and after
each one. The run is as expected iff
every program ended as expected, no acct line differs from the baseline,
nothing panicked or hung, and QEMU exited 33 (35 when a program was expected
to fail: init exits 1).

With a kernel log file (run-guest --quiet) the kernel's own lines (banner,
memory map, log, faults) and init's report go to a second serial port that
QEMU writes to that file, so the console carries only what the programs
write; the verdict reads both.
"""
import dataclasses
import os
import re
import subprocess

from . import cpio, qemu
from .core import Run, run_logged, split_lines
from .qemu import describe_exit

DESIGNS = ("nosticky", "sticky", "virtkey")       # futex=...; the kernel's default is sticky
DEFAULT_PROGRAMS = ("hello", "threads")           # init's built-in list when it is given none
DEFAULT_SHELL = "bin/sh"                          # ... then this shell, when the initramfs has it
BUSYBOX = os.environ.get("STICKY_BUSYBOX", "/bin/busybox")   # Debian's busybox-static (tools/setup)
# Applets to link when busybox cannot be asked for its own list (`busybox --list`).
BUSYBOX_APPLETS = ("sh", "ls", "cat", "wc", "rm", "echo", "date", "mkdir", "cp", "mv", "uname", "true", "false", "sleep")
DEFAULT_TIMEOUT = 60.0
DEFAULT_MEM = "128M"
MAX_CPUS = 16                                     # kernel/platform/Acpi.cs MadtInfo.MaxCpus
MIN_MEM = 8 << 20                                 # 4M panics at boot; room for init and a program beyond that
TRACE_ALL = "all"                                 # what a bare --trace asks the kernel for
CMDLINE_CAPACITY = 1023                           # kernel/platform/CommandLine.cs keeps 1024 bytes with the NUL
NAME = re.compile(r"[A-Za-z0-9_.+][A-Za-z0-9_.+-]*")   # an initramfs name init accepts (not an option)
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ARGS_FILE, ENV_FILE = "init.args", "init.env"     # read by the kernel for init (InitProcess.cs)
KERNEL_CONSOLE = "console=ttyS1"                  # the kernel's lines to the second serial port
# kernel/lib/LogLevels.cs: the `log=` grammar, checked here so every bad item is reported before booting.
LOG_LEVELS = ("off", "error", "warn", "info", "debug", "trace")
LOG_SUBSYSTEMS = ("boot", "mm", "sched", "proc", "syscall", "futex", "exec", "io", "fs", "time")

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
class Command:
    """One program run: its host path and its arguments (argv[0] is the name)."""
    path: str
    args: list[str] = dataclasses.field(default_factory=list)

    @property
    def name(self):
        return os.path.basename(self.path)


@dataclasses.dataclass
class Config:
    kernel: str
    init: str
    qemu_run: str
    programs: list                      # Commands (or host paths: no arguments), run in this order
    use_default: bool = False           # True: no command lines, init runs its default list
    futex: str | None = None            # None: the kernel's default
    trace: str | None = None
    log: str | None = None              # kernel log= spec
    mem: str = DEFAULT_MEM
    machine: str | None = None          # QEMU machine; None: qemu-run's (microvm)
    icount: bool = False                # guest clock = its instruction count (tools/qemu-run --icount)
    timeout: float = DEFAULT_TIMEOUT
    smp: int = 1
    smptest: str | None = None          # steps of the sticky design switched off, for a test (smptest=)
    repeat: int = 1                     # init runs the list this many times (repeat=; tools/stress)
    env: list[str] = dataclasses.field(default_factory=list)    # NAME=VALUE for every program
    kernel_log: str | None = None       # the kernel's lines go to this file, not the console
    extra_files: list = dataclasses.field(default_factory=list)   # more initramfs members: (name, mode, bytes)

    def __post_init__(self):
        self.programs = [p if isinstance(p, Command) else Command(p) for p in self.programs]

    @classmethod
    def for_context(cls, ctx, programs, **options):
        """A boot of the test run's kernel and init (core.Context); the
        timeout is the run's unless `options` names another."""
        options.setdefault("timeout", ctx.timeout)
        return cls(kernel=ctx.kernel, init=ctx.init, qemu_run=ctx.qemu_run, programs=programs, **options)

    def check(self):
        """Raises UsageError for anything the kernel cannot run, with every
        problem found (not just the first)."""
        problems = []
        if not 1 <= self.smp <= MAX_CPUS:
            problems.append(f"--smp={self.smp}: expected 1 to {MAX_CPUS} CPUs")
        if self.smptest is not None and not re.fullmatch(r"(no-eager-wp|no-cow-break)(,(no-eager-wp|no-cow-break))*", self.smptest):
            problems.append(f"--smptest={self.smptest!r}: expected no-eager-wp and/or no-cow-break")
        if self.repeat < 1:
            problems.append(f"repeat={self.repeat}: expected at least 1 round")
        if self.futex is not None and self.futex not in DESIGNS:
            problems.append(f"--futex={self.futex}: expected one of {', '.join(DESIGNS)}")
        if self.trace is not None and not re.fullmatch(r"[^\s,=]+", self.trace):
            problems.append(f"--trace={self.trace!r}: expected a pid or a program name")
        if self.log is not None:
            problems += log_problems(self.log)
        if not self.timeout > 0:
            problems.append("--timeout must be a positive number of seconds")
        for item in self.env:
            name, eq, _ = item.partition("=")
            if not eq or not ENV_NAME.fullmatch(name):
                problems.append(f"--env {item!r}: expected NAME=VALUE (NAME: letters, digits and _)")
            elif "\0" in item:
                problems.append(f"--env {name}: a NUL byte cannot be passed")
        for what, path in (("kernel", self.kernel), ("init", self.init)):
            if not os.path.isfile(path):
                problems.append(f"{what} {path} not found (run `make`)")
        if not self.use_default and not self.programs:
            problems.append("no program to run")
        for c in self.programs:
            problems += [f"{c.name}: an argument with a NUL byte cannot be passed" for a in c.args if "\0" in a]
        try:
            files = self.files()
            problems += [p for _, path in files for p in _not_a_program(path)]
        except UsageError as e:
            problems.append(str(e))
            files = []
        try:
            size = mem_bytes(self.mem)
            need = MIN_MEM + sum(os.path.getsize(p) for _, p in files)
            if size < need:
                problems.append(f"--mem={self.mem} is too little: stickyos needs at least {_mib(need)} "
                                "(the kernel's own tables and heap, init, the programs in the initramfs)")
        except ValueError as e:
            problems.append(str(e))
        if len(line := " ".join(self.cmdline())) > CMDLINE_CAPACITY:
            problems.append(f"kernel command line is {len(line)} bytes, the kernel keeps {CMDLINE_CAPACITY}")
        if problems:
            raise UsageError("\n".join(problems))

    def trace_warning(self):
        """A --trace=NAME that names none of the programs traces nothing: say so."""
        t = self.trace
        if t is None or t == TRACE_ALL or t.isdigit() or t in self.expected_names() or t == "init":
            return None
        return (f"--trace={t} matches no program ({', '.join(dict.fromkeys(self.expected_names()))}): "
                "nothing will be traced")

    def files(self):
        """(name, host path) of each distinct program, in run order. The same
        file may run several times; two files may not share a name."""
        by_name = {}
        for c in self.programs:
            if os.path.isdir(c.path):
                raise UsageError(f"program {c.path} is a directory")
            if not os.path.isfile(c.path):
                raise UsageError(f"program {c.path} not found")
            if not NAME.fullmatch(c.name) or c.name in ("init", ARGS_FILE, ENV_FILE):
                raise UsageError(f"program {c.path}: the name {c.name!r} cannot be an initramfs program "
                                 f"(letters, digits, _ . + - only, not first '-'; not init, {ARGS_FILE}, {ENV_FILE})")
            seen = by_name.setdefault(c.name, c.path)
            if seen != c.path and not os.path.samefile(seen, c.path):
                raise UsageError(f"programs {seen} and {c.path} have the same basename {c.name!r}")
        return list(by_name.items())

    def names(self):
        """The name of each run, in order (a name once per run)."""
        self.files()
        return [c.name for c in self.programs]

    def expected_names(self):
        if not self.use_default:
            return self.names()
        shell = any(m[0] == DEFAULT_SHELL for m in self.extra_files)
        return list(DEFAULT_PROGRAMS) + ([os.path.basename(DEFAULT_SHELL)] if shell else [])

    def init_args(self):
        """init's arguments (kernel/user/init.c): a plain NAME for a program
        without arguments, else `--argc=N` and the N words of its command line."""
        words = []
        for c in self.programs:
            words += [c.name] if not c.args else [f"--argc={1 + len(c.args)}", c.name, *c.args]
        return words

    def cmdline(self):
        words = []
        if self.futex:
            words.append(f"futex={self.futex}")
        if self.trace:
            words.append(f"trace={self.trace}")
        if self.log:
            words.append(f"log={self.log}")
        if self.smptest:
            words.append(f"smptest={self.smptest}")
        if self.repeat > 1:
            words.append(f"repeat={self.repeat}")
        if self.kernel_log:
            words.append(KERNEL_CONSOLE)
        words.append("acct")            # the kernel's acct lines, for the leak check
        return words

    def initramfs(self):
        """The archive's members: init, the programs, and init's arguments and environment."""
        members = [("init", _read(self.init))]
        members += [(name, _read(path)) for name, path in self.files()]
        if not self.use_default:
            members.append((ARGS_FILE, _strings(self.init_args())))
        if self.env:
            members.append((ENV_FILE, _strings(self.env)))
        members += list(self.extra_files)
        # A busybox run as a program gets its applets as /bin links too (its
        # shell finds them on PATH), unless /bin comes with the extra files.
        if not any(m[0] == "bin" for m in members):
            for name, path in self.files():
                if name == "busybox":
                    members += applet_links(path, "/busybox")
                    break
        return members


def log_problems(spec):
    """Every item of a `log=` spec the kernel would not understand (LogLevels.Apply)."""
    problems = []
    for item in spec.split(","):
        if not item:
            continue
        subsystem, colon, level = item.rpartition(":")
        if level not in LOG_LEVELS or (colon and subsystem not in LOG_SUBSYSTEMS + ("all",)):
            problems.append(f"--log: {item!r} is not LEVEL or SUBSYSTEM:LEVEL (levels: {' '.join(LOG_LEVELS)}; "
                            f"subsystems: {' '.join(LOG_SUBSYSTEMS)} all)")
    return problems


def mem_bytes(text):
    """QEMU's -m syntax: a number of MiB, or with a K/M/G/T suffix. ValueError if not."""
    m = re.fullmatch(r"(\d+)([KMGT]?)B?", text.strip(), re.I)
    if not m or int(m[1]) == 0:
        raise ValueError(f"--mem={text!r}: expected a size such as 128M or 1G (a plain number is MiB)")
    shift = {"": 20, "K": 10, "M": 20, "G": 30, "T": 40}[m[2].upper()]
    return int(m[1]) << shift


def _mib(n):
    return f"{-(-n // (1 << 20))}M"


def _not_a_program(path):
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"\x7fELF":
        return [f"program {path} is not an ELF file" + (" (it is empty)" if not head else "")]
    return []


def _strings(words):
    return b"".join(w.encode() + b"\0" for w in words)


def boot(cfg, log_path=None, echo=None, cwd=None, keep_stdin=False, feed=None, forward=None, terminal=False,
         env=None):
    """Packs the initramfs and boots it once -> core.Run. `echo` streams the
    serial output, `feed` answers console lines with keys (see run_logged);
    `keep_stdin` connects stdin to the console (`terminal`: a terminal the
    guest owns, see tools/qemu-run); `forward` copies a file to it; `env`
    replaces the environment of tools/qemu-run (e.g. STICKY_QEMU_CPU)."""
    archive = cpio.pack(cfg.initramfs())
    # The initramfs lives in memory and reaches QEMU as an inherited fd:
    # nothing on disk to clean up, however run-guest ends.
    fd = os.memfd_create("sticky-initrd")      # close-on-exec: only QEMU gets it (pass_fds)
    try:
        os.write(fd, archive)
        if cfg.kernel_log:
            open(cfg.kernel_log, "wb").close()
        argv = qemu.argv(cfg.qemu_run, cfg.kernel, cfg.cmdline(), timeout=cfg.timeout, mem=cfg.mem,
                         initrd=f"/proc/self/fd/{fd}", machine=cfg.machine, icount=cfg.icount,
                         klog=cfg.kernel_log, terminal=terminal, smp=cfg.smp)
        # qemu-run's timeout sends SIGTERM, then SIGKILL 5 s later; ours only
        # fires if that machinery itself hangs.
        run = run_logged(argv, cfg.timeout + 15, log_path, cwd=cwd, env=env, echo=echo, keep_stdin=keep_stdin,
                         feed=feed, forward=forward, pass_fds=(fd,))
    finally:
        os.close(fd)
    if cfg.kernel_log:
        with open(cfg.kernel_log, "rb") as f:
            run = Run(run.rc, run.lines, run.secs, run.timed_out, kernel_lines=split_lines(f.read()))
    return run


def busybox_files(binary, applets=None):
    """Initramfs members for a busybox at /bin/busybox with a /bin/<applet>
    symlink per applet (a shell finds commands on PATH=/bin); without
    `applets`, every applet the binary lists."""
    links = applet_links(binary, "busybox", applets)
    return links[:1] + [("bin/busybox", cpio.MODE_EXECUTABLE, _read(binary))] + links[1:]


def applet_links(binary, target, applets=None):
    """/bin and a /bin/<applet> symlink to `target` per applet of `binary`."""
    names = applets or busybox_applets(binary)
    return [("bin", cpio.MODE_DIRECTORY, b"")] + \
        [(f"bin/{a}", cpio.MODE_SYMLINK, target.encode()) for a in names if a != "busybox"]


def busybox_applets(binary):
    """What `busybox --list` says (a static binary: it runs here too), or a
    short list when it cannot be asked."""
    try:
        out = subprocess.run([binary, "--list"], capture_output=True, text=True, timeout=10).stdout.split()
    except (OSError, subprocess.SubprocessError):
        out = []
    return [a for a in out if re.fullmatch(r"[a-z0-9_.+-]+", a)] or list(BUSYBOX_APPLETS)


def tests_files(directory, under="tests"):
    """Every program of `directory` (build/guest) as /<under>/<name>."""
    members = [(under, cpio.MODE_DIRECTORY, b"")]
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            members.append((f"{under}/{name}", cpio.MODE_EXECUTABLE, _read(path)))
    return members


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
    statuses: list[str | None]      # each run's status as init printed it (None: never reported)

    @property
    def ok(self):
        return not self.reasons


# When several things went wrong, the matrix names the worst.
_SEVERITY = ("hang", "killed", "panic", "leak", "unexpected-pass", "fail")


def judge(expected, run, timeout):
    """expected: [(program, "pass" | "fail" | "refused")] in run order, or a
    dict of them ("fail": must print `FAIL <name>: ...` and exit 1;
    "refused": execve must fail, so init prints `init: cannot run <name>: ...`
    and exit 127). A program may run several times: its `exit` lines are
    matched to its runs in order. run: a core.Run. -> Verdict."""
    expected = list(expected.items()) if isinstance(expected, dict) else list(expected)
    statuses = [None] * len(expected)
    faults = [[] for _ in expected]
    fail_lines, cannot = {}, {}
    accts = []                      # (index of the run that ended just before, {field: value})
    extra = []
    last, pending_faults, panic, killed = None, [], None, None
    for line in run.all_lines:
        line = line.rstrip()
        if m := EXIT_LINE.match(line):
            i = next((i for i, (n, _) in enumerate(expected) if n == m[1] and statuses[i] is None), None)
            if i is None:
                extra.append(line)
            else:
                statuses[i], faults[i] = m[2], pending_faults
            last, pending_faults = i if i is not None else last, []
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

    reported = [s is not None for s in statuses]
    running = next((n for (n, _), done in zip(expected, reported) if not done), None)
    if not accts and not any(reported):
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

    for (name, want), status, fault in zip(expected, statuses, faults):
        why = cannot.get(name) or fail_lines.get(name) or (fault or [None])[0]
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

    names = [n for n, _ in expected]
    for reason in _leaks(accts, names, reported, cut_short):
        problem("leak", reason)

    # A failed program already explains exit 35; anything else needs a reason.
    want_rc = 33 if all(w == "pass" for _, w in expected) else 35
    if not cut_short and run.rc != want_rc and (not reasons or run.rc not in (33, 35)):
        problem("fail", f"QEMU {describe_exit(run.rc)}, expected {want_rc}")

    kind = next((k for k in _SEVERITY if k in kinds), "ok")
    return Verdict(reasons, kind, statuses)


def _leaks(accts, names, reported, cut_short):
    """Each acct line after the baseline is compared with the one before it,
    so a leak is blamed on the program (run) that caused it."""
    if not accts:
        return [] if cut_short or not any(reported) else ["no `acct` line: cannot check for leaks"]
    reasons = []
    for (_, before), (i, after) in zip(accts, accts[1:]):
        name = names[i] if i is not None else "init started"
        for field, what, sign in ACCT_FIELDS:
            if field not in before or field not in after:
                continue
            grown = (after[field] - before[field]) * sign
            if grown > 0:
                reasons.append(f"leaked {grown} {what} after {name}")
            elif grown < 0:
                reasons.append(f"{field} went from {before[field]} to {after[field]} after {name}")
    after_runs = {i for i, _ in accts[1:]}
    if not cut_short:
        reasons += [f"no `acct` line after {n}" for i, (n, done) in enumerate(zip(names, reported))
                    if done and i not in after_runs]
    return reasons
