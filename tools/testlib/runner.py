"""The `runner` suite: the test runner's own tests (tools/testlib/selftest),
against a fake QEMU that acts out scripted serial logs. They show that the
runner's verdicts can fail: a hang, a panic, a leak, a wrong exit, an
unexpected pass of the 2002 bug each turn into a failure. One result per file.
"""
import glob
import os
import sys

from .core import Result, run_logged

SUITE = "runner"
LIMIT = 300


def tests(ctx):
    for path in sorted(glob.glob(os.path.join(ctx.root, "tools", "testlib", "selftest", "test_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        if not ctx.wanted(SUITE, name):
            continue
        log = os.path.join(ctx.log_dir, SUITE, name + ".log")
        run = run_logged([sys.executable, path], LIMIT, log, cwd=ctx.root)
        ok = run.rc == 0 and not run.timed_out
        reason = "" if ok else ("timed out" if run.timed_out else f"exited {run.rc}")
        yield Result(SUITE, name, "pass" if ok else "fail", reason, run.secs,
                     "" if ok else f"tail of {ctx.rel(log)}", [] if ok else run.tail())
