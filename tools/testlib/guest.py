"""The guest suite: every tests/guest/<name>.c program (built as
build/guest/<name>) runs on stickyos under init, one boot per program and
futex design, through the same code as tools/run-guest (guestrun.py).

A program's metadata line, anywhere in its first 40 lines:
    // guest: timeout=90 mem=256M futex=all nosticky=fail skip-native
    timeout=SECONDS   the whole boot (default 60)
    mem=SIZE          guest RAM (default 128M)
    futex=all|D,D     run once per futex design (default: once, kernel default design)
    nosticky=fail     under futex=nosticky the program must print `FAIL <name>: ...` naming
                      the bug's symptom ("lost wakeup" or "isolation broken") and exit 1:
                      it demonstrates the 2002 bug; a PASS there fails the suite
    skip-native       not run natively on Linux
    fails-without=S,S in the smp4 suite, also run under futex=sticky with each named step of the
                      sticky design switched off (smptest=S: no-eager-wp, no-cow-break); there it
                      must print `FAIL <name>: ...` naming what the step prevents (SMPTEST_SYMPTOM)
    debian, data, same-as-native    Debian's static binaries, build-time data,
                      a transcript compared with Linux's (debian.py)
    busybox           the initramfs also holds Debian's busybox-static as /bin/busybox,
                      with /bin/<applet> links (BUSYBOX_APPLETS; tools/setup installs it)
    shells            as busybox, and Debian's static shells at their Debian paths
                      (SHELLS: /bin/bash-static, /bin/zsh-static, /bin/sash)
Keys typed on the terminal, one line per chunk:
    // guest-input: "abc\x7f\r" "more"    Python string literals, concatenated
Each time the program prints a line ending in "waiting for input" the next
chunk is typed on the console. Such a program also runs natively under a pty
(ptyrun.py) with the same keys: it must pass there too, and what the two
terminals show from its first "waiting for input" line to its PASS line (the
echo included) must be the same (it is marked skip-native: a plain native run
would wait for keys nobody types).
Test names: guest/<name>, or guest/<name>[<design>] per futex design; and
guest/<name>[native]: the same binary run on this Linux host, where it must
print `PASS <name>` and exit 0 (so a program's expectations are Linux's own);
STICKY_NATIVE=0 leaves those out. The same programs on 4 CPUs are the suite
smp4 (smp4/<name>[<design>]; no native cells there).
"""
import ast
import concurrent.futures
import dataclasses
import difflib
import os
import re

from . import core, debian, guestrun, ptyrun
from .core import Result

SUITE = "guest"
META = re.compile(r"^\s*//\s*guest:(.*)$")
INPUT = re.compile(r"^\s*//\s*guest-input:(.*)$")
META_LINES = 40
NATIVE = "native"
BUSYBOX, BUSYBOX_APPLETS = guestrun.BUSYBOX, guestrun.BUSYBOX_APPLETS
SHELLS = ("/bin/bash-static", "/bin/zsh-static", "/bin/sash")


@dataclasses.dataclass
class Program:
    name: str
    timeout: float = guestrun.DEFAULT_TIMEOUT
    mem: str = guestrun.DEFAULT_MEM
    designs: tuple = (None,)            # None: the kernel's default design, no futex=
    nosticky_fails: bool = False
    native: bool = True                 # also run natively on the host
    debian: bool = False                # debian.py: Debian's static binaries in the initramfs
    data: bool = False                  # ... build/guest-data as /data
    same_as_native: bool = False        # ... the transcript must be Linux's
    fails_without: tuple = ()           # smptest= switches under which it must fail (smp suites)
    busybox: bool = False               # pack /bin/busybox into the initramfs
    shells: bool = False                # and the static shells (SHELLS)
    problem: str = ""                   # bad metadata: every cell of the program fails with it
    input: list = dataclasses.field(default_factory=list)   # chunks of keys (bytes), typed one per request


@dataclasses.dataclass
class Cell:
    program: Program
    design: str | None
    smp: int = 1
    smptest: str | None = None          # a step of the sticky design switched off: must fail

    @property
    def suite(self):
        return SUITE if self.smp == 1 else f"smp{self.smp}"

    @property
    def name(self):
        if self.smptest:
            return f"{self.program.name}[{self.design},{self.smptest}]"
        return self.program.name if self.design is None else f"{self.program.name}[{self.design}]"

    @property
    def native(self):
        return self.design == NATIVE

    @property
    def expect(self):
        if self.smptest:
            return "fail"
        return "fail" if self.design == "nosticky" and self.program.nosticky_fails else "pass"

    @property
    def log_name(self):
        return (self.program.name + (f".{self.design}" if self.design else "") + (f".{self.smptest}" if self.smptest else "")
                + (f".smp{self.smp}" if self.smp != 1 else ""))


def read_program(path):
    prog = Program(os.path.splitext(os.path.basename(path))[0])
    with open(path, encoding="utf-8", errors="replace") as f:
        head = [next(f, "") for _ in range(META_LINES)]
    meta = next((m[1] for m in map(META.match, head) if m), "")
    try:
        for word in meta.split():
            key, _, value = word.partition("=")
            if key == "timeout":
                prog.timeout = float(value)
                if not prog.timeout > 0:
                    raise ValueError
            elif key == "mem" and re.fullmatch(r"\d+[KMG]?", value):
                prog.mem = value
            elif key == "futex":
                prog.designs = guestrun.DESIGNS if value == "all" else tuple(value.split(","))
                if not prog.designs or any(d not in guestrun.DESIGNS for d in prog.designs):
                    raise ValueError
            elif key == "nosticky" and value == "fail":
                prog.nosticky_fails = True
            elif key == "skip-native":
                prog.native = False
            elif key in ("debian", "data", "same-as-native") and not value:
                setattr(prog, key.replace("-", "_"), True)
            elif key == "fails-without" and value and all(v in SMPTEST_SYMPTOM for v in value.split(",")):
                prog.fails_without = tuple(value.split(","))
            elif key == "busybox" and not value:
                prog.busybox = True
            elif key == "shells" and not value:
                prog.busybox = prog.shells = True
            else:
                raise ValueError
    except ValueError:
        prog.problem = f"bad metadata {word!r} in `// guest:{meta}`"
    if prog.nosticky_fails and "nosticky" not in prog.designs and not prog.problem:
        prog.problem = "nosticky=fail without futex=all (or a futex= list with nosticky)"
    for text in (m[1] for m in map(INPUT.match, head) if m):
        try:
            keys = ast.literal_eval(text.strip())
            if not isinstance(keys, str):
                raise ValueError
            prog.input.append(keys.encode("latin-1"))
        except (ValueError, SyntaxError, UnicodeEncodeError):
            prog.problem = prog.problem or f"bad `// guest-input:{text}` (expected Python string literals)"
    return prog


def tests(ctx, smp=1):
    suite = SUITE if smp == 1 else f"smp{smp}"
    src = ctx.guest_src
    programs = [read_program(os.path.join(src, f)) for f in sorted(os.listdir(src)) if f.endswith(".c")]
    native = os.environ.get("STICKY_NATIVE", "1") != "0" and smp == 1
    cells = [Cell(p, d, smp) for p in programs
             for d in p.designs + ((NATIVE,) if native and p.native and not p.problem else ())]
    if smp > 1:
        cells += [Cell(p, "sticky", smp, smptest=s) for p in programs for s in p.fails_without]
    cells = [c for c in cells if ctx.wanted(suite, c.name)]
    if not cells:
        return
    for what, path in (("kernel", ctx.kernel), ("init", ctx.init)):
        if not os.path.isfile(path):
            yield Result(suite, what, "fail", f"{ctx.rel(path)} not found: run `make test`")
            return

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=ctx.jobs)
    try:
        futures = [pool.submit(run_cell, ctx, c) for c in cells]
        # Submission order, not completion order: the output is stable.
        results = []
        for cell, future in zip(cells, futures):
            result, cell_text = future.result()
            results.append((cell, cell_text))
            yield result
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        core.kill_all()         # an interrupted suite leaves no QEMU behind
    print_matrix(results, smp)


# How a nosticky=fail program must report the bug: a wake that reached nobody
# (the waiter times out), or one that reached the other process's waiter.
BUG_SYMPTOM = re.compile(r"\blost wakeup\b|\bisolation broken\b")
# What each step of the sticky design prevents, as a program reports it when
# the step is switched off (smptest=): a torn eager copy; Martin Wirth's race.
SMPTEST_SYMPTOM = {"no-eager-wp": re.compile(r"\btorn\b"), "no-cow-break": BUG_SYMPTOM}


def run_cell(ctx, cell):
    """-> (Result, text for the futex matrix)."""
    prog = cell.program
    if prog.problem:
        return Result(cell.suite, cell.name, "fail", prog.problem), "BAD METADATA"
    binary = os.path.join(ctx.build, "guest", prog.name)
    if not os.path.isfile(binary):
        return Result(cell.suite, cell.name, "fail", f"{ctx.rel(binary)} not found: run `make guests`"), "NOT BUILT"
    if prog.busybox and not os.path.isfile(BUSYBOX):
        return Result(cell.suite, cell.name, "fail", f"{BUSYBOX} not found: install busybox-static (tools/setup)"), "NO BUSYBOX"
    missing = [s for s in SHELLS if prog.shells and not os.path.isfile(s)]
    if missing:
        return Result(cell.suite, cell.name, "fail", f"{missing[0]} not found: install bash-static, zsh-static, sash "
                      "(tools/setup)"), "NO SHELLS"
    data_dir = os.path.join(ctx.build, debian.DATA_DIR) if prog.data else None
    if why := debian.missing(prog.debian, data_dir):
        return Result(cell.suite, cell.name, "fail", why), "NOT INSTALLED"
    if cell.native:
        return run_native(ctx, cell, binary, debian.native_env(data_dir)), None
    extra = guestrun.busybox_files(BUSYBOX, BUSYBOX_APPLETS) if prog.busybox else []
    if prog.shells:
        extra += guestrun.program_files(SHELLS)
    extra += debian.files(prog.debian, data_dir)
    cfg = guestrun.Config.for_context(ctx, [binary], futex=cell.design, mem=prog.mem, timeout=prog.timeout,
                                      extra_files=extra, smp=cell.smp, smptest=cell.smptest)
    log = os.path.join(ctx.log_dir, SUITE, cell.log_name + ".log")
    run = guestrun.boot(cfg, log_path=log, cwd=ctx.root, feed=ptyrun.typist(prog.input) if prog.input else None)
    verdict = guestrun.judge({prog.name: cell.expect}, run, prog.timeout)
    if verdict.ok and prog.input and cell.design == prog.designs[0]:
        if difference := compare_with_linux(binary, prog, run):
            return Result(SUITE, cell.name, "fail", difference, run.secs,
                          f"tail of the serial log ({ctx.rel(log)})", run.tail()), "UNLIKE LINUX"
    if verdict.ok and prog.same_as_native:
        native_log = os.path.join(ctx.log_dir, SUITE, cell.log_name + ".linux.log")
        if difference := debian.compare_with_linux(binary, prog.name, run.lines, prog.timeout, data_dir, native_log):
            return Result(cell.suite, cell.name, "fail", difference, run.secs,
                          f"tail of the serial log ({ctx.rel(log)})", run.tail()), "UNLIKE LINUX"
    if verdict.ok and cell.expect == "fail":
        # Failing is not enough: it must fail the way the seed describes.
        line = next((l for l in run.lines if l.startswith(f"FAIL {prog.name}: ")), "")
        if cell.smptest and not SMPTEST_SYMPTOM[cell.smptest].search(line):
            return Result(cell.suite, cell.name, "fail",
                          f"failed with smptest={cell.smptest}, but not for what that step prevents "
                          f"({SMPTEST_SYMPTOM[cell.smptest].pattern}): {line!r}", run.secs,
                          f"tail of the serial log ({ctx.rel(log)})", run.tail()), "UNEXPECTED FAIL"
        if not cell.smptest and not BUG_SYMPTOM.search(line):
            return Result(cell.suite, cell.name, "fail",
                          f"failed under futex={cell.design}, but not with the 2002 bug's symptom "
                          f"(a lost wakeup or broken isolation): {line!r}", run.secs,
                          f"tail of the serial log ({ctx.rel(log)})", run.tail()), "UNEXPECTED FAIL"
    if verdict.ok:
        text = "FAIL (expected)" if cell.expect == "fail" else "pass"
        return Result(cell.suite, cell.name, "pass", secs=run.secs), text
    reasons = verdict.reasons
    if verdict.kind == "unexpected-pass" and cell.smptest:
        reasons = [f"UNEXPECTED PASS with smptest={cell.smptest}: the test did not detect what that step prevents"] + reasons
    elif verdict.kind == "unexpected-pass":
        reasons = [f"UNEXPECTED PASS under futex={cell.design}: the 2002 bug did not reproduce"] + reasons
    text = "UNEXPECTED " + {"unexpected-pass": "PASS"}.get(verdict.kind, verdict.kind.upper())
    return Result(cell.suite, cell.name, "fail", "\n".join(reasons), run.secs,
                  f"tail of the serial log ({ctx.rel(log)})", run.tail()), text


def compare_with_linux(binary, prog, run):
    """Runs the program natively under a pty with the same keys -> None if it
    passed there and both terminals showed the same, else the difference."""
    status, native = ptyrun.run([binary], prog.input, prog.timeout)
    if status is None or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        failed = next((l for l in native if l.startswith(f"FAIL {prog.name}")), "no FAIL line")
        return f"natively (Linux, a pty) it did not pass: wait status {status}: {failed}"
    ours, linux = ptyrun.transcript(run.lines, prog.name), ptyrun.transcript(native, prog.name)
    if ours == linux:
        return None
    diff = difflib.unified_diff([repr(l) for l in linux], [repr(l) for l in ours], "Linux (pty)", "stickyos",
                                lineterm="", n=1)
    return "the terminal shows something else than Linux's:\n" + "\n".join(diff)


def run_native(ctx, cell, binary, env=None):
    """The program on this Linux host: Linux's answer to what it checks."""
    name = cell.program.name
    log = os.path.join(ctx.log_dir, SUITE, name + ".native.log")
    try:
        run = core.run_logged([binary], cell.program.timeout, log, cwd=ctx.root, env=env)
    except OSError as e:
        return Result(SUITE, cell.name, "fail", f"cannot run {ctx.rel(binary)} natively: {e}")
    if run.rc == 0 and f"PASS {name}" in run.lines:
        return Result(SUITE, cell.name, "pass", secs=run.secs)
    why = "timed out" if run.timed_out else f"exited {run.rc}"
    fails = [l for l in run.lines if l.startswith(f"FAIL {name}")]
    return Result(SUITE, cell.name, "fail", f"natively on Linux it {why}" + (f": {fails[0]}" if fails else ""),
                  run.secs, f"tail of {ctx.rel(log)}", run.tail())


def print_matrix(results, smp=1):
    """The futex programs' outcome per design, after the suite's results."""
    rows = {}
    for cell, text in results:
        if cell.design is not None and not cell.native and not cell.smptest:
            rows.setdefault(cell.program.name, {})[cell.design] = text
    if not rows:
        return
    header = ["futex matrix" + (f" ({smp} CPUs)" if smp != 1 else ""), *guestrun.DESIGNS]
    table = [header] + [[name, *(cells.get(d, "-") for d in guestrun.DESIGNS)] for name, cells in rows.items()]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    for row in table:
        print("  ".join(text.ljust(w) for text, w in zip(row, widths)).rstrip())
