"""The `exec` suite: what execve accepts and refuses.

- static_pie: a static-PIE build of hello (ET_DYN, loaded at the PIE bias) runs.
- arguments: command lines and environment reach programs (run-guest's
  `-- PROG ARG...` and --env, through init), and one program runs twice.
- stdin: keys piped into tools/run-guest itself reach a program reading the
  terminal (tty_canonical's), and with --quiet its stdout is the program's
  output and echo alone, the kernel's lines in the log file.
- shell: `make run`'s boot (tools/run-guest without programs) fed a shell
  session on stdin, as a user would type it: the demo programs run, then
  busybox sh answers echo, ls /tests, a guest test run by name with
  arguments, $?, a failing command's status, a pipe, and exit powers off.
- shell_keys: `make run` on a terminal (a pty), keys as a user types them:
  Ctrl-C on a half-typed line gives a fresh prompt (the shell's SIGINT
  handler), Ctrl-C stops `sleep 10` ($? is 130), Ctrl-D ends the shell and
  the machine powers off with every program passed.
- terminal: tools/run-guest on a terminal (a pty) gives every key to the
  guest: Ctrl-] h lists the monitor's keys, Ctrl-C kills the program in the
  foreground (init reports SIGINT on a line of its own and runs the next),
  Ctrl-A x quits QEMU and run-guest.
- programs the kernel must refuse cleanly: each is run by init like any guest;
  execve must fail with the right errno (init prints `init: cannot run NAME: ...`
  and `exit NAME 127`), nothing may panic or leak, and the next program must
  still run.
"""
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time

from . import guest, guestrun
from .core import Result, split_lines

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
    if ctx.wanted(SUITE, "stdin"):
        yield _stdin(ctx)
    if ctx.wanted(SUITE, "shell"):
        yield _shell(ctx)
    if ctx.wanted(SUITE, "shell_keys"):
        yield _shell_keys(ctx)
    if ctx.wanted(SUITE, "terminal"):
        yield _terminal(ctx)
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


def _stdin(ctx):
    start = time.monotonic()
    prog = guest.read_program(os.path.join(ctx.guest_src, "tty_canonical.c"))
    binary = os.path.join(ctx.build, "guest", "tty_canonical")
    with tempfile.TemporaryDirectory(prefix="sticky-stdin.") as tmp:
        klog = os.path.join(tmp, "kernel.log")
        p = subprocess.run([sys.executable, os.path.join(ctx.root, "tools", "run-guest"), f"--quiet={klog}",
                            f"--timeout={prog.timeout:g}", f"--kernel={ctx.kernel}", f"--init={ctx.init}",
                            "--", binary, "typed-ahead"], input=b"".join(prog.input), capture_output=True,
                           timeout=prog.timeout + 30, env=dict(os.environ, STICKY_QEMU_RUN=ctx.qemu_run))
        with open(klog, errors="replace") as f:
            kernel = f.read()
    out = split_lines(p.stdout)
    reasons = []
    if p.returncode != 0:
        reasons.append(f"run-guest exited {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
    if "PASS tty_canonical" not in out:
        reasons.append("no `PASS tty_canonical` on stdout")
    if "abc\b \b\b \bd" not in out:
        reasons.append("stdout lacks the echo of the first keys (abc, two erases, d)")
    if leaked := [l for l in out if l.startswith(("acct ", "exit ", "init: ", "stickyos "))]:
        reasons.append(f"kernel lines on stdout despite --quiet: {leaked[:3]}")
    if not re.search(r"^exit tty_canonical 0\s*$", kernel, re.M):
        reasons.append("no `exit tty_canonical 0` in the kernel's log")
    return Result(SUITE, "stdin", "fail" if reasons else "pass", "\n".join(reasons), time.monotonic() - start,
                  detail_title="stdout" if reasons else "", detail=out[-20:] if reasons else [])


class _PtySession:
    """tools/run-guest on a pty, as a user at a terminal: type keys, wait for text."""

    def __init__(self, ctx, args):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.environ["STICKY_QEMU_RUN"] = ctx.qemu_run
                os.environ["STICKY_BUILD"] = ctx.build
                os.execv(sys.executable, [sys.executable, os.path.join(ctx.root, "tools", "run-guest"),
                                          f"--kernel={ctx.kernel}", f"--init={ctx.init}", *args])
            finally:
                os._exit(127)
        self.screen, self.seen, self.reasons = b"", 0, []

    def type(self, keys):
        os.write(self.fd, keys)

    def until(self, text, secs=30):
        """Waits for `text` after what was matched before."""
        deadline = time.monotonic() + secs
        while self.screen.find(text, self.seen) < 0 and time.monotonic() < deadline:
            if select.select([self.fd], [], [], 0.1)[0]:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                self.screen += data
        at = self.screen.find(text, self.seen)
        if at < 0:
            self.reasons.append(f"the terminal never showed {text!r}")
            return False
        self.seen = at + len(text)
        return True

    def end(self, secs=15):
        """-> run-guest's exit status, or None if it had to be killed."""
        for _ in range(secs * 10):
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                os.close(self.fd)
                return os.WEXITSTATUS(status)
            time.sleep(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.reasons.append("run-guest did not end")
        return None


SESSION = b"""echo hi
ls /tests
args_env one two
echo status $?
false
echo status $?
echo abc | wc -c
exit
"""


def _shell(ctx):
    start = time.monotonic()
    if not os.path.isfile(guestrun.BUSYBOX):
        return Result(SUITE, "shell", "fail", f"{guestrun.BUSYBOX} not found: install busybox-static (tools/setup)")
    with tempfile.TemporaryDirectory(prefix="sticky-shell.") as tmp:
        klog = os.path.join(tmp, "kernel.log")
        p = subprocess.run([sys.executable, os.path.join(ctx.root, "tools", "run-guest"), f"--quiet={klog}",
                            "--timeout=120", f"--kernel={ctx.kernel}", f"--init={ctx.init}"],
                           input=SESSION, capture_output=True, timeout=180, cwd=ctx.root,
                           env=dict(os.environ, STICKY_QEMU_RUN=ctx.qemu_run, STICKY_BUILD=ctx.build))
        with open(klog, errors="replace") as f:
            kernel = f.read()
    out = split_lines(p.stdout)
    reasons = []
    if p.returncode != 0:
        reasons.append(f"run-guest exited {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
    # Each command's answer, in order, after the shell's own echo of the command.
    expected = [("echo hi", r"^hi$"),
                ("ls /tests", r"\bargs_env\b.*|.*\btty_jobs\b"),
                ("args_env one two", r"^args_env: argv\[2\]=\[two\]$"),
                ("echo status $?", r"^status 0$"),
                ("echo status $?", r"^status 1$"),
                ("echo abc | wc -c", r"^\s*4$")]
    at = next((i for i, l in enumerate(out) if l.startswith("PASS threads")), None)
    if at is None:
        reasons.append("the demo programs did not run first (no `PASS threads`)")
        at = 0
    for command, answer in expected:
        typed = next((i for i in range(at, len(out)) if out[i].endswith("# " + command)), None)
        if typed is None:
            reasons.append(f"the shell never showed the command {command!r}")
            continue
        got = next((i for i in range(typed + 1, len(out)) if re.search(answer, out[i])), None)
        if got is None or any(out[j].endswith(" # " + c) for j in range(typed + 1, got) for c, _ in expected):
            reasons.append(f"no answer matching {answer!r} to {command!r}")
        else:
            at = got
    if not re.search(r"^exit sh 0\s*$", kernel, re.M):
        reasons.append("init did not report `exit sh 0` (exit must end the shell, then the machine)")
    if "powering off" not in kernel:
        reasons.append("the machine did not power off after the shell")
    return Result(SUITE, "shell", "fail" if reasons else "pass", "\n".join(reasons), time.monotonic() - start,
                  detail_title="stdout" if reasons else "", detail=out[-40:] if reasons else [])


def _shell_keys(ctx):
    start = time.monotonic()
    if not os.path.isfile(guestrun.BUSYBOX):
        return Result(SUITE, "shell_keys", "fail", f"{guestrun.BUSYBOX} not found: install busybox-static")
    s = _PtySession(ctx, ["--timeout=120"])
    try:
        if s.until(b"/ # ", 90):
            s.type(b"echo half-typed")
            s.until(b"half-typed")
            s.type(b"\x03")                               # the shell's SIGINT handler: a fresh prompt
            s.until(b"^C\r\n")
            s.until(b"/ # ")
            s.type(b"sleep 10\r")
            s.until(b"sleep 10\r\n")
            time.sleep(0.5)
            s.type(b"\x03")                               # SIGINT to the foreground job only
            s.until(b"/ # ", 8)
            s.type(b"echo after $?\r")
            s.until(b"after 130\r\n")
            # Only at the prompt: typed while the command still runs, Ctrl-D
            # ends a line in canonical mode and reaches ash's line editor as
            # a NUL byte when it turns canonical mode off (as on Linux).
            s.until(b"/ # ")
            s.type(b"\x04")                               # Ctrl-D: the shell ends, the machine powers off
            s.until(b"exit sh 0\r\n")
            s.until(b"run-guest: PASS: hello, threads, sh")
    finally:
        status = s.end()
    if status is not None and status != 0:
        s.reasons.append(f"run-guest exited {status}")
    reasons = s.reasons
    return Result(SUITE, "shell_keys", "fail" if reasons else "pass", "\n".join(reasons), time.monotonic() - start,
                  detail_title="the terminal" if reasons else "", detail=split_lines(s.screen)[-30:] if reasons else [])


def _terminal(ctx):
    start = time.monotonic()
    waits, hello = os.path.join(ctx.build, "guest", "tty_canonical"), os.path.join(ctx.build, "guest", "hello")
    s = _PtySession(ctx, ["--timeout=60", waits, hello, "--", waits])
    try:
        if s.until(b"tty_canonical: waiting for input"):
            s.type(b"\x1dh")                              # the monitor's keys
            s.until(b"  h        this list")
            s.until(b"Ctrl-A then x quits)\r\n")          # the list's end: the monitor is done
            s.type(b"\x03")                               # Ctrl-C: SIGINT to the foreground program
            s.until(b"^C\r\nexit tty_canonical SIGINT\r\n")
            s.until(b"PASS hello")
            if s.until(b"exit hello 0") and s.until(b"tty_canonical: waiting for input", 30):
                s.type(b"\x01x")                          # Ctrl-A x: QEMU quits
                s.until(b"run-guest: FAIL", 15)
    finally:
        status = s.end()
    if status is not None and status != 1:
        s.reasons.append(f"run-guest exited {status}, expected 1 (QEMU quit before the end)")
    reasons = s.reasons
    return Result(SUITE, "terminal", "fail" if reasons else "pass", "\n".join(reasons), time.monotonic() - start,
                  detail_title="the terminal" if reasons else "", detail=split_lines(s.screen)[-30:] if reasons else [])
