"""Runs a guest program natively with a Linux pty as its terminal, the
reference for what stickyos's terminal must do (guest.py compares the two).

The program leads a session of its own with the pty as its controlling
terminal (pty.fork), as init makes every program on stickyos. Whenever it
prints a line ending in "waiting for input", the next chunk of keys is typed
into the pty, as guest.py types them on the serial console.
"""
import os
import pty
import select
import signal
import time

from .core import split_lines

WAITING = "waiting for input"


def typist(chunks):
    """-> feed(line) answering each "... waiting for input" line with the next chunk."""
    pending = list(chunks)

    def feed(line):
        if line.rstrip().endswith(WAITING) and pending:
            return pending.pop(0)
        return None
    return feed


def run(argv, chunks, timeout):
    """-> (wait status or None if it had to be killed, output lines)."""
    pid, fd = pty.fork()
    if pid == 0:        # the child: session leader, the pty on 0, 1, 2, nothing else
        try:
            os.closerange(3, 1 << 16)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    feed = typist(chunks)
    output, partial = b"", b""
    deadline = time.monotonic() + timeout
    status = None
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:         # EIO: every process with the pty open has gone
                    data = b""
                if not data:
                    break
                output += data
                *lines, partial = (partial + data).split(b"\n")
                for line in lines:
                    keys = feed(line.decode("utf-8", "replace").rstrip("\r"))
                    if keys:
                        os.write(fd, keys)
        while True:         # the pty closed as it exits: give it the rest of the time
            done, status = os.waitpid(pid, os.WNOHANG)
            if done or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        if not done:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = None
    finally:
        os.close(fd)
    return status, split_lines(output)


def transcript(lines, name):
    """The part of a run to compare: from the program's first "waiting for
    input" line to its PASS (or FAIL) line."""
    start = next((i for i, l in enumerate(lines) if l.startswith(f"{name}: ") and l.endswith(WAITING)), None)
    if start is None:
        return []
    end = next((i for i in range(start, len(lines)) if lines[i].startswith((f"PASS {name}", f"FAIL {name}"))),
               len(lines) - 1)
    return lines[start:end + 1]
