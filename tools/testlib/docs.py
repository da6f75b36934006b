"""The `docs` suite: documentation that a check can hold to the code.

- syscalls: docs/syscalls.md has one line per row of the kernel's syscall
  table, with Linux's names (tools/syscall-docs).
"""
import os
import sys

from .core import Result, run_logged

SUITE = "docs"


def tests(ctx):
    if not ctx.wanted(SUITE, "syscalls"):
        return
    tool = os.path.join(ctx.root, "tools", "syscall-docs")
    run = run_logged([sys.executable, tool], 60, cwd=ctx.root)
    ok = run.rc == 0 and not run.timed_out
    yield Result(SUITE, "syscalls", "pass" if ok else "fail", "" if ok else "\n".join(run.lines), run.secs)
