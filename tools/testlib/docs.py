"""The `docs` suite: documentation that a check can hold to the code.

- syscalls: docs/syscalls.md has one line per row of the kernel's syscall
  table, with Linux's names (tools/syscall-docs).
- links: the docs stand alone in a clone: every relative link in README.md,
  docs/*.md and the tests' READMEs names a file of the repository, and no
  text points outside it (../shared/...: notes that only some checkouts have).
"""
import glob
import os
import re
import sys

from .core import Result, run_logged

SUITE = "docs"


def tests(ctx):
    if ctx.wanted(SUITE, "links"):
        yield _links(ctx)
    if not ctx.wanted(SUITE, "syscalls"):
        return
    tool = os.path.join(ctx.root, "tools", "syscall-docs")
    run = run_logged([sys.executable, tool], 60, cwd=ctx.root)
    ok = run.rc == 0 and not run.timed_out
    yield Result(SUITE, "syscalls", "pass" if ok else "fail", "" if ok else "\n".join(run.lines), run.secs)


LINK = re.compile(r"\]\(([^)\s]+)\)")


def _links(ctx):
    pages = [os.path.join(ctx.root, "README.md")] + sorted(glob.glob(os.path.join(ctx.root, "docs", "*.md")))
    pages += sorted(glob.glob(os.path.join(ctx.root, "tests", "*", "README.md")))
    problems = []
    for page in pages:
        with open(page, encoding="utf-8") as f:
            text = f.read()
        where = ctx.rel(page)
        for n, line in enumerate(text.splitlines(), 1):
            if "../shared" in line:
                problems.append(f"{where}:{n}: points outside the repository: {line.strip()}")
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target) or target.startswith("#"):
                    continue
                path = os.path.normpath(os.path.join(os.path.dirname(page), target.split("#")[0]))
                if not os.path.exists(path) or os.path.commonpath([path, ctx.root]) != ctx.root:
                    problems.append(f"{where}:{n}: no such file: {target}")
    return Result(SUITE, "links", "fail" if problems else "pass", "\n".join(problems))
