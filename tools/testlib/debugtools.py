"""The `debug` suite: each serial-console debugging tool, exercised for real.

- trace:        `trace=<name>` prints the expected strace-like lines for hello.
- fault_report: a user fault report names the process, the fault, and the
                function from the program's symbol table.
- monitor:      Ctrl-] m while a thread sleeps in FUTEX_WAIT prints a report that
                shows that waiter (with its key and, under sticky, its pinned frame);
                then Ctrl-] h lists the monitor's keys.
- log:          `log=` levels per subsystem: hello's fork, exec and thread
                start appear with Linux-style time stamps, and a bad item is
                reported and ignored while the rest still apply.
- gdb:          the gdb script loads and resolves a kernel symbol in batch mode.

Each boot goes through guestrun like the guest suite's (with the program's
own metadata limits) and is judged the same way: the program must pass, and
a hang, panic or leak fails the check even after the expected lines.
"""
import os
import re
import time

from . import gdbtest, guest, guestrun
from .core import Result

SUITE = "debug"
# Every debugging tool must work with more than one CPU: gdb sees a thread per
# CPU, the monitor and the log print from several.
SMP = 2


def tests(ctx):
    checks = [("trace", _trace), ("fault_report", _fault_report), ("monitor", _monitor), ("log", _kernel_log),
              ("gdb", _gdb)]
    for name, check in checks:
        if not ctx.wanted(SUITE, name):
            continue
        start = time.monotonic()
        try:
            reasons, detail = check(ctx)
        except Exception as e:  # a broken check is a failure, never a crash of the runner
            reasons, detail = [f"{type(e).__name__}: {e}"], []
        yield Result(SUITE, name, "fail" if reasons else "pass", "\n".join(reasons), time.monotonic() - start,
                     detail_title=f"tail of the serial log ({ctx.rel(_log(ctx, name))})" if reasons and detail else "",
                     detail=detail if reasons else [])


def _config(ctx, name, **options):
    """Boots build/guest/NAME with the time and memory its metadata line asks for (guest.py)."""
    program = guest.read_program(os.path.join(ctx.guest_src, name + ".c"))
    if program.problem:
        raise ValueError(f"{name}.c: {program.problem}")
    return guestrun.Config.for_context(ctx, [os.path.join(ctx.build, "guest", name)],
                                       timeout=program.timeout, mem=program.mem, smp=SMP, **options)


def _log(ctx, name):
    return os.path.join(ctx.log_dir, SUITE, name + ".log")


def _judged(cfg, run, patterns, problems=()):
    """-> (reasons, serial tail): the patterns the output lacks, then
    whatever guestrun.judge finds (a failed program, a hang, a panic or a
    leak, even after the lines looked for)."""
    missing = [p for p in patterns if not re.search(p, run.text, re.M)] + list(problems)
    reasons = ["missing: " + "; ".join(missing)] if missing else []
    reasons += guestrun.judge({name: "pass" for name in cfg.names()}, run, cfg.timeout).reasons
    return reasons, run.tail()


def _trace(ctx):
    cfg = _config(ctx, "hello", trace="hello")
    run = guestrun.boot(cfg, _log(ctx, "trace"))
    expected = [
        r"^trace: \[\d+/\d+\] arch_prctl\(ARCH_SET_FS, 0x[0-9a-f]+\) = 0 <\d+ us>$",
        r"^trace: \[\d+/\d+\] set_tid_address\(0x[0-9a-f]+\) = \d+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] mmap\(NULL, 0x[0-9a-f]+, PROT_NONE, MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0x0\) = 0x[0-9a-f]+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] clone\(CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_SIGHAND\|CLONE_THREAD\|.*\) = \d+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] write\(1, 0x[0-9a-f]+, \d+\) = \d+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] writev\(1, 0x[0-9a-f]+, 2\) = \d+ <\d+ us>$",
        r"^trace: \[\d+/\d+\] exit_group\(0\) \.\.\.$",
    ]
    # Filtering: init (pid 1) is not hello, so none of its calls may appear.
    unfiltered = ["no line for init (trace=hello must filter by name)"] if re.search(r"^trace: \[1/", run.text, re.M) else []
    return _judged(cfg, run, expected, unfiltered)


def _fault_report(ctx):
    cfg = _config(ctx, "fork_faults")
    run = guestrun.boot(cfg, _log(ctx, "fault_report"))
    expected = [
        r"^fault: pid \d+ \(fork_faults\) tid \d+ SIGSEGV Page fault \(#PF\) not-present write user-mode "
        r"at rip 0x[0-9a-f]+ <null_deref\+0x[0-9a-f]+> addr 0x0+ \(no region\) rsp 0x[0-9a-f]+$",
        r"^fault: pid \d+ \(fork_faults\) tid \d+ SIGILL Invalid opcode \(#UD\) at rip 0x[0-9a-f]+ <ud2",
        r"^fault: pid \d+ \(fork_faults\) tid \d+ SIGFPE Divide error \(#DE\) at rip 0x[0-9a-f]+ <divide_by_zero",
    ]
    return _judged(cfg, run, expected)


def _monitor(ctx):
    """Boots debug_waiter with a pipe on the console, types Ctrl-] m once it
    waits, and reads the report."""
    def feed(line):
        if line.startswith("debug_waiter: waiting on futex"):
            time.sleep(0.5)   # let it reach FUTEX_WAIT
            return b"\x1dm"
        if line == "=== end of monitor report ===":
            return b"\x1dh"
        return None

    cfg = _config(ctx, "debug_waiter")
    run = guestrun.boot(cfg, _log(ctx, "monitor"), feed=feed)
    expected = [
        r"^=== stickyos monitor: uptime [\d.]+ s ===$",
        r"^  pid \d+ \(debug_waiter\) parent 1 alive, \d+ threads$",
        r"^    tid \d+ blocked: futex, deadline in [\d.]+ s at 0x[0-9a-f]+$",
        r"^  futex waiter tid \d+ pid \d+ uaddr 0x[0-9a-f]+ key phys\(frame 0x[0-9a-f]+ \+0x[0-9a-f]+\) "
        r"pinned frame 0x[0-9a-f]+$",
        r"^frames: \d+ free, \d+ used, \d+ shared, [1-9]\d* pinned; kernel heap \d+ bytes",
        r"^=== end of monitor report ===$",
        r"^=== stickyos monitor keys \(after Ctrl-\]\) ===$",
        r"^  m +report: processes, threads, futex waiters, memory, scheduler$",
        r"^  h +this list$",
        r"^PASS debug_waiter$",
    ]
    return _judged(cfg, run, expected)


def _kernel_log(ctx):
    cfg = _config(ctx, "hello", log="warn,proc:debug,exec:debug,sched:debug,bogus")
    run = guestrun.boot(cfg, _log(ctx, "log"))
    stamp = r"^\[\s*\d+\.\d{6}\] "
    expected = [
        stamp + r"proc: fork ",
        stamp + r"exec: exec hello ",
        stamp + r"sched: start tid=\d+$",
        stamp + r"boot: warn: log=: ignored 'bogus' \(expected LEVEL or SUBSYSTEM:LEVEL; "
                r"levels off error warn info debug trace\)$",
    ]
    # Every other subsystem at warn: the futex design line (info) must be gone.
    info = re.search(stamp + r"futex: design .*$", run.text, re.M)
    return _judged(cfg, run, expected, [f"an info line despite log=warn: {info[0]!r}"] if info else [])


def _gdb(ctx):
    ok, reason = gdbtest.run_gdb_batch_test(ctx.build, smp=SMP)
    return [] if ok else [reason], []
