"""The `demo` suite: `make demo`'s story, told by tools/run-guest
--futex=compare for futex_demo, checked sentence by sentence against the
kernel logs it was told from (build/demo-<design>.log): the frames it names
must be the ones the kernel logged, and each design must end as it should
(nosticky: the 2002 bug, a lost wakeup; sticky and virtkey: PASS).
"""
import os
import re
import subprocess
import sys
import time

from .core import Result

SUITE = "demo"
NAME = "futex_demo"


def tests(ctx):
    if not ctx.wanted(SUITE, "futex_compare"):
        return
    start = time.monotonic()
    p = subprocess.run([sys.executable, os.path.join(ctx.root, "tools", "run-guest"), "--futex=compare",
                        f"--kernel={ctx.kernel}", f"--init={ctx.init}", os.path.join(ctx.build, "guest", NAME)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, cwd=ctx.root,
                       env=dict(os.environ, STICKY_QEMU_RUN=ctx.qemu_run))
    stories = dict(re.findall(r"^== futex=(\w+): .*\n((?:  .*\n)+)", p.stdout, re.M))
    reasons = [] if p.returncode == 0 else [f"run-guest --futex=compare exited {p.returncode}: {p.stderr.strip()}"]
    for design, check in (("nosticky", _nosticky), ("sticky", _sticky), ("virtkey", _virtkey)):
        story = stories.get(design)
        if story is None:
            reasons.append(f"no story for futex={design}")
            continue
        log = _kernel_log(ctx, design)
        reasons += [f"futex={design}: {r}" for r in check(story, log)]
    yield Result(SUITE, "futex_compare", "fail" if reasons else "pass", "\n".join(reasons),
                 time.monotonic() - start, "what run-guest said" if reasons else "",
                 p.stdout.splitlines()[-40:] if reasons else [])


def _kernel_log(ctx, design):
    try:
        with open(os.path.join(ctx.build, f"demo-{design}.log"), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _hex(text):
    return f"0x{int(text, 16):x}"


def _waited_frame(log):
    """The frame the kernel queued the first waiter under, from its own log line."""
    m = re.search(r"futex: wait queued .* key=phys\(frame (0x[0-9a-f]+) ", log)
    return _hex(m[1]) if m else None


def _expect(story, patterns):
    return [f"the story lacks {p!r}" for p in patterns if not re.search(p, story)]


def _nosticky(story, log):
    a = _waited_frame(log)
    if a is None:
        return ["no `futex: wait queued` line with a physical key in the kernel's log"]
    cow = re.search(rf"mm: copy-on-write pid=\d+ page=0x[0-9a-f]+ frame 0x0*{a[2:]} -> (0x[0-9a-f]+) \(copied\)", log)
    if cow is None:
        return [f"the kernel logged no copy-on-write of frame {a}"]
    b = _hex(cow[1])
    return _expect(story, [
        rf"queues it under the key phys\(frame {a} \+0x[0-9a-f]+\)",
        rf"shared copy-on-write: frame {a} in both processes",
        rf"copy-on-write gives it a new frame {b}; frame {a} is now pid \d+'s alone",
        rf"which names frame {b}, and finds nobody there \(woken=0\)",
        rf"still queued under frame {a}, times out: the wakeup was lost",
        r"=> FAIL, as expected: this is the 2002 bug"])


def _sticky(story, log):
    a = _waited_frame(log)
    if a is None:
        return ["no `futex: wait queued` line with a physical key in the kernel's log"]
    return _expect(story, [
        rf"under the key phys\(frame {a} \+0x[0-9a-f]+\), which names the page's physical frame {a}, "
        r"and pins that frame",
        rf"fork copies it for the child at once \(frame 0x[0-9a-f]+\); pid \d+ keeps frame {a}",
        r"no copy-on-write fault, the page has been its own since the fork",
        rf"which names frame {a}, and finds the waiter \(woken=1\)",
        r"=> PASS"])


def _virtkey(story, log):
    m = re.search(r"futex: wait queued pid=(\d+) .* key=virt\(space (\d+), page (0x[0-9a-f]+) ", log)
    if m is None:
        return ["no `futex: wait queued` line with a virtual key in the kernel's log"]
    return _expect(story, [
        rf"under the key virt\(space {m[2]}, page {_hex(m[3])} \+0x[0-9a-f]+\): the address space \(pid {m[1]}'s\) and the address",
        r"copy-on-write gives it a new frame",
        rf"from the address, virt\(space {m[2]}, page {_hex(m[3])} \+0x[0-9a-f]+\), and finds the waiter \(woken=1\)",
        r"=> PASS"])
