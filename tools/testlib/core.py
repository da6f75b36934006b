"""What every suite shares: the result record, the run context, and one way
to run a child process with a hard time limit."""
import dataclasses
import os
import signal
import subprocess
import threading
import time

TAIL_LINES = 40


@dataclasses.dataclass
class Result:
    suite: str
    name: str
    outcome: str                # "pass" | "fail" | "skip"
    reason: str = ""            # why it failed or was skipped; may span lines
    secs: float | None = None
    detail_title: str = ""      # e.g. "tail of the serial log (build/test-logs/x.log)"
    detail: list[str] = dataclasses.field(default_factory=list)

    @property
    def full_name(self):
        return f"{self.suite}/{self.name}"


@dataclasses.dataclass
class Context:
    root: str                   # repository root; paths below are absolute
    build: str
    timeout: float              # per-QEMU-run limit, seconds
    qemu_run: str               # tools/qemu-run, or a fake for testing the runner
    host_project: str
    keyword: str = ""           # -k: case-insensitive substring of suite/name
    guest_src: str = ""         # tests/guest: the guest programs' sources (their metadata)
    jobs: int = 1               # QEMU boots at a time, for suites whose boots are independent

    @property
    def kernel(self):
        return os.path.join(self.build, "kernel.elf")

    @property
    def init(self):
        return os.path.join(self.build, "user", "init")

    @property
    def log_dir(self):
        return os.path.join(self.build, "test-logs")

    def wanted(self, suite, name):
        """Suites ask before running a test so that -k saves time, not just output."""
        return self.keyword.lower() in f"{suite}/{name}".lower()

    def rel(self, path):
        """Short path for messages: relative inside the repository."""
        inside = os.path.commonpath([path, self.root]) == self.root
        return os.path.relpath(path, self.root) if inside else path


@dataclasses.dataclass
class Run:
    rc: int
    lines: list[str]                # what the command printed (the serial console)
    secs: float
    timed_out: bool
    kernel_lines: list[str] = dataclasses.field(default_factory=list)   # a second channel (run-guest --quiet)

    @property
    def all_lines(self):
        """The kernel's own channel first, then the console: a verdict that
        depends on the order of lines reads them from one channel only."""
        return self.kernel_lines + self.lines

    @property
    def text(self):
        return "\n".join(self.all_lines)

    def tail(self, n=TAIL_LINES):
        return (self.kernel_lines or self.lines)[-n:]


def run_logged(argv, limit, log_path=None, cwd=None, env=None, echo=None, keep_stdin=False, feed=None,
               forward=None, pass_fds=()):
    """Runs argv with stdout+stderr captured together, stdin closed (QEMU's
    -serial stdio would otherwise put the terminal in raw mode) unless
    `keep_stdin`: then the child reads this process's stdin (the guest's console).
    `forward`, a binary file, is copied to the child's stdin (a pipe) as it
    can take it; at its end the child is sent Ctrl-D (see _forward).

    `limit` is a safety net on top of any timeout the command enforces itself:
    the child gets its own process group so a hang kills QEMU too, not just
    the wrapper script. A child killed this way reports rc 124, like timeout(1).
    `echo(bytes)`, if given, sees the output as it arrives (tools/run-guest
    streams the serial console through it). `feed(line)`, if given, sees each
    complete output line (str, no line end) and may return bytes to type on
    the child's stdin, which is then a pipe (the debug suite's console keys).
    """
    start = time.monotonic()
    stdin = subprocess.PIPE if feed or forward else None if keep_stdin else subprocess.DEVNULL
    proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=cwd, env=env,
                            start_new_session=True, pass_fds=pass_fds)
    with _live_lock:
        _live.add(proc)
    if forward:
        threading.Thread(target=_forward, args=(forward, proc.stdin), daemon=True).start()
    expired = threading.Event()

    def expire():
        expired.set()
        _kill_group(proc)

    timer = threading.Timer(limit, expire)
    timer.daemon = True
    timer.start()
    chunks, partial = [], b""
    try:
        with proc.stdout:
            while chunk := os.read(proc.stdout.fileno(), 65536):
                chunks.append(chunk)
                if echo:
                    echo(chunk)
                if feed:
                    partial = _feed_lines(proc, feed, partial + chunk)
        proc.wait()
    except BaseException:           # Ctrl-C: leave no QEMU behind
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        timer.cancel()
        if proc.stdin:
            _quietly(proc.stdin.close)
        with _live_lock:
            _live.discard(proc)
    timed_out = expired.is_set() or proc.returncode == 124
    rc = 124 if timed_out else proc.returncode
    # Serial output ends lines with \r\n; a guest may also emit stray bytes.
    lines = split_lines(b"".join(chunks))
    if log_path:
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        with open(log_path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + ("\n" if lines else ""))
    return Run(rc, lines, time.monotonic() - start, timed_out)


# What a terminal sends for Ctrl-D: end of file for a reader in canonical mode.
EOF_KEY = b"\x04"


def _forward(source, sink):
    """Copies `source` to `sink` (the child's stdin), then types Ctrl-D as a
    user would to end the input: twice after an unfinished last line (the
    first only ends that line), once after a complete one. Stops quietly when
    the child stops reading."""
    last = b"\n"
    try:
        while chunk := source.read1(65536) if hasattr(source, "read1") else source.read(65536):
            sink.write(chunk)
            sink.flush()
            last = chunk[-1:]
        sink.write(EOF_KEY if last == b"\n" else EOF_KEY * 2)
        sink.close()
    except (BrokenPipeError, ValueError, OSError):
        pass


def _feed_lines(proc, feed, data):
    """Hands each complete line of `data` to `feed`, types its answers; -> the incomplete rest."""
    *lines, rest = data.split(b"\n")
    for line in lines:
        answer = feed(line.decode("utf-8", "replace").rstrip("\r"))
        if answer:
            _quietly(lambda: (proc.stdin.write(answer), proc.stdin.flush()))
    return rest


def _quietly(write):
    """A child that has exited no longer reads its stdin: that is no error of ours."""
    try:
        write()
    except (BrokenPipeError, ValueError):
        pass


def split_lines(data):
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n").splitlines()


# Children of run_logged still running, for kill_all.
_live = set()
_live_lock = threading.Lock()


def kill_all():
    """Kills every child run_logged is waiting for, e.g. when a parallel suite
    is interrupted (their own process groups do not see the terminal's Ctrl-C)."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        _kill_group(proc)


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
