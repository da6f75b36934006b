"""The `go` suite: a static Go binary (tests/guest/go/go_runtime.go, built by
`make guests` with Debian's golang-go, CGO_ENABLED=0) on stickyos.

The Go runtime is a demanding guest: threads made with clone, futexes for
its locks, SIGURG preemption sent with tgkill and handled on sigaltstack,
os/signal, timers, epoll for its netpoller, a non-blocking pipe, mmap'd
heap arenas and a parallel garbage collector. The binary runs on this Linux
host first; its lines there are the expected transcript, and the guest must
print the same lines and exit 0, at 1 and at 4 CPUs, without a leak.
"""
import os
import re
import time

from . import core, guestrun
from .core import Result

SUITE = "go"
NAME = "go_runtime"
TIMEOUT = 180


def _lines(text):
    return [l for l in text.splitlines() if l.startswith((f"{NAME}:", f"PASS {NAME}", f"FAIL {NAME}"))]


def tests(ctx):
    binary = os.path.join(ctx.build, "guest", NAME)
    wanted = [n for n in (f"{NAME}[native]", NAME, f"{NAME}[smp4]") if ctx.wanted(SUITE, n)]
    if not wanted:
        return
    if not os.path.isfile(binary):
        for n in wanted:
            yield Result(SUITE, n, "fail", f"{ctx.rel(binary)} is missing: `make guests` builds it with golang-go")
        return
    log = os.path.join(ctx.log_dir, SUITE, NAME + ".native.log")
    native = core.run_logged([binary], TIMEOUT, log, cwd=ctx.root)
    expected = _lines("\n".join(native.lines))
    ok = native.rc == 0 and f"PASS {NAME}" in expected
    if f"{NAME}[native]" in wanted:
        yield Result(SUITE, f"{NAME}[native]", "pass" if ok else "fail",
                     "" if ok else f"natively on Linux it exited {native.rc}", native.secs,
                     "" if ok else f"tail of {ctx.rel(log)}", [] if ok else native.tail())
    if not ok:
        return
    for name, smp in ((NAME, 1), (f"{NAME}[smp4]", 4)):
        if name not in wanted:
            continue
        start = time.monotonic()
        cfg = guestrun.Config.for_context(ctx, [binary], smp=smp, timeout=TIMEOUT)
        run = guestrun.boot(cfg, os.path.join(ctx.log_dir, SUITE, re.sub(r"\W", "_", name) + ".log"))
        reasons = list(guestrun.judge({NAME: "pass"}, run, cfg.timeout).reasons)
        got = _lines(run.text)
        if got != expected:
            reasons.append("its lines differ from Linux's:\n  expected: " + "\n            ".join(expected)
                           + "\n  got:      " + "\n            ".join(got))
        yield Result(SUITE, name, "fail" if reasons else "pass", "\n".join(reasons), time.monotonic() - start,
                     "serial log (tail)" if reasons else "", run.tail() if reasons else [])
