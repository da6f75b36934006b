"""The `exec` suite: what execve accepts and refuses.

- static_pie: a static-PIE build of hello (ET_DYN, loaded at the PIE bias) runs.
- arguments: command lines and environment reach programs (run-guest's
  `-- PROG ARG...` and --env, through init), and one program runs twice.
- programs the kernel must refuse cleanly: each is run by init like any guest;
  execve must fail with the right errno (init prints `init: cannot run NAME: ...`
  and `exit NAME 127`), nothing may panic or leak, and the next program must
  still run.
"""
import os
import re
import tempfile
import time

from . import guestrun
from .core import Result

SUITE = "exec"


def _cases(hello):
    data = open(hello, "rb").read()
    return [
        # (name, file contents, init's strerror for the expected errno)
        ("not_elf", b"#!/bin/sh\necho this is a shell script, not an ELF\n", "Exec format error"),
        ("truncated_header", data[:40], "Exec format error"),
        ("truncated_segments", data[: len(data) // 3], "Exec format error"),
        ("empty", b"", "Exec format error"),
        ("wrong_machine", data[:18] + b"\x03\x00" + data[20:], "Exec format error"),   # e_machine = i386
    ]


def tests(ctx):
    hello = os.path.join(ctx.build, "guest", "hello")
    if ctx.wanted(SUITE, "static_pie"):
        yield _static_pie(ctx)
    if ctx.wanted(SUITE, "arguments"):
        yield _arguments(ctx)
    for name, contents, strerror in _cases(hello):
        if not ctx.wanted(SUITE, name):
            continue
        start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="sticky-exec.") as tmp:
            bad = os.path.join(tmp, name)
            with open(bad, "wb") as f:
                f.write(contents)
            cfg = guestrun.Config.for_context(ctx, [bad, hello])
            run = guestrun.boot(cfg, os.path.join(ctx.log_dir, SUITE, name + ".log"))
        verdict = guestrun.judge({name: "refused", "hello": "pass"}, run, cfg.timeout)
        reasons = list(verdict.reasons)
        if not re.search(rf"^init: cannot run {name}: {strerror}$", run.text, re.M):
            reasons.insert(0, f"no `init: cannot run {name}: {strerror}` line")
        yield Result(SUITE, name, "fail" if reasons else "pass", "; ".join(reasons), time.monotonic() - start,
                     detail_title="serial log (tail)" if reasons else "", detail=run.tail() if reasons else [])


def _static_pie(ctx):
    start = time.monotonic()
    pie = os.path.join(ctx.build, "guest", "hello_pie")
    if not os.path.isfile(pie):
        return Result(SUITE, "static_pie", "fail", f"{pie} is missing (make guests)")
    cfg = guestrun.Config.for_context(ctx, [pie])
    run = guestrun.boot(cfg, os.path.join(ctx.log_dir, SUITE, "static_pie.log"))
    verdict = guestrun.judge({"hello_pie": "pass"}, run, cfg.timeout)
    reasons = list(verdict.reasons)
    if not re.search(r"^PASS hello$", run.text, re.M):
        reasons.append("no `PASS hello` line")
    return Result(SUITE, "static_pie", "fail" if reasons else "pass", "; ".join(reasons), time.monotonic() - start,
                  detail_title="serial log (tail)" if reasons else "", detail=run.tail() if reasons else [])


def _arguments(ctx):
    start = time.monotonic()
    prog = os.path.join(ctx.build, "guest", "args_env")
    if not os.path.isfile(prog):
        return Result(SUITE, "arguments", "fail", f"{prog} is missing (make guests)")
    cfg = guestrun.Config.for_context(
        ctx, [guestrun.Command(prog, ["one", "two words", "", "--argc=2", "-"]), guestrun.Command(prog)],
        env=["STICKY_A=1", "STICKY_B=x=y z", "STICKY_EMPTY="])
    run = guestrun.boot(cfg, os.path.join(ctx.log_dir, SUITE, "arguments.log"))
    verdict = guestrun.judge([("args_env", "pass"), ("args_env", "pass")], run, cfg.timeout)
    reasons = list(verdict.reasons)
    first = "\n".join(["args_env: argc=6", "args_env: argv[0]=[args_env]", "args_env: argv[1]=[one]",
                       "args_env: argv[2]=[two words]", "args_env: argv[3]=[]", "args_env: argv[4]=[--argc=2]",
                       "args_env: argv[5]=[-]", "args_env: env [STICKY_A=1]", "args_env: env [STICKY_B=x=y z]",
                       "args_env: env [STICKY_EMPTY=]", "PASS args_env"])
    second = "\n".join(["args_env: argc=1", "args_env: argv[0]=[args_env]", "args_env: env [STICKY_A=1]"])
    for name, block in (("the first run's lines", first), ("the second run's lines", second)):
        if block not in run.text:
            reasons.append(f"missing {name}:\n{block}")
    return Result(SUITE, "arguments", "fail" if reasons else "pass", "\n".join(reasons), time.monotonic() - start,
                  detail_title="serial log (tail)" if reasons else "", detail=run.tail() if reasons else [])
