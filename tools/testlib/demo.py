"""`make demo` (tools/run-guest --futex=compare PROGRAM): one futex-across-fork
program under each futex design, and what happened told in plain words from
what the kernel logged (log=futex:trace,mm:debug) during that run:

    futex: wait queued pid=3 tid=5 uaddr=U key=phys(frame 0x41d000 +0x100) pinned=1
    futex: fork pid=3 child=6 uaddr=U parent-frame=0x41d000 child-frame=0x43e000
    mm: copy-on-write pid=3 page=0x7fffffffc000 frame 0x41d000 -> 0x452000 (copied)
    futex: wake pid=3 tid=3 uaddr=U key=phys(frame 0x452000 +0x100) woken=0
    futex: wait timed out pid=3 tid=5 uaddr=U key=...

The story follows the first word a thread waits on. Every sentence is filled
in from those lines, and what it says (shared or copied, moved or not, found
or nobody) follows from the numbers, not from the design's name: a design
that misbehaved would be told as it misbehaved, and its verdict would say
UNEXPECTED.
"""
import dataclasses
import os
import re

from . import guestrun

LOG_SPEC = "futex:trace,mm:debug"

HEADLINES = {
    "nosticky": "the 2002 kernel: futex keys name physical frames, fork makes everything copy-on-write",
    "sticky": "Ingo Molnar's 2002 fix: a waiter pins its frame, fork copies pinned pages at once",
    "virtkey": "Linux since 2.6.0 (2003): a private futex key is (address space, address)",
}

_STAMP = r"^\[\s*[\d.]+\] "
WAIT = re.compile(_STAMP + r"futex: wait queued pid=(\d+) tid=(\d+) uaddr=(0x[0-9a-f]+) key=(\S+\(.*?\)) pinned=(\d)")
FORK = re.compile(_STAMP + r"futex: fork pid=(\d+) child=(\d+) uaddr=(0x[0-9a-f]+) parent-frame=(0x[0-9a-f]+) "
                  r"child-frame=(0x[0-9a-f]+)")
COW = re.compile(_STAMP + r"mm: copy-on-write pid=(\d+) page=(0x[0-9a-f]+) frame (0x[0-9a-f]+) -> (0x[0-9a-f]+)")
WAKE = re.compile(_STAMP + r"futex: wake pid=(\d+) tid=(\d+) uaddr=(0x[0-9a-f]+) key=(\S+\(.*?\)) woken=(\d+)")
TIMEOUT = re.compile(_STAMP + r"futex: wait timed out pid=(\d+) tid=(\d+) uaddr=(0x[0-9a-f]+) key=(\S+\(.*?\))")
PHYS_KEY = re.compile(r"phys\(frame (0x[0-9a-f]+) ")
VIRT_KEY = re.compile(r"virt\(space (\d+), page (0x[0-9a-f]+) ")


def frame(text):
    return f"0x{int(text, 16):x}"


def short(key):
    """A key as the log prints it, with its addresses without leading zeros."""
    return re.sub(r"0x0*([0-9a-f]+)", lambda m: "0x" + m[1], key)


def narrate(design, name, lines):
    """-> (sentences, verdict line, behaved as the design should)."""
    said = []
    wait = next((m for m in map(WAIT.match, lines) if m), None)
    if wait is None:
        return ["The kernel logged no futex wait: nothing to tell."], "=> UNEXPECTED: no futex wait", False
    pid, tid, uaddr, key, pinned = wait[1], wait[2], wait[3], wait[4], wait[5] == "1"
    page = f"0x{int(uaddr, 16) & ~0xfff:x}"
    waited_on = PHYS_KEY.search(key)
    text = f"Thread {tid} of pid {pid} waits on {uaddr}. The kernel queues it under the key {short(key)}"
    if waited_on:
        text += f", which names the page's physical frame {frame(waited_on[1])}"
        text += ", and pins that frame (one pin per waiter)." if pinned else "."
    elif VIRT_KEY.search(key):
        text += f": the address space (pid {pid}'s) and the address, no frame at all."
    else:
        text += "."
    said.append(text)

    after = lines[lines.index(wait.string) + 1:]
    fork = next((m for m in map(FORK.match, after) if m and m[3] == uaddr), None)
    child = None
    if fork:
        child, mine, theirs = fork[2], frame(fork[4]), frame(fork[5])
        if mine == theirs:
            said.append(f"pid {pid} forks pid {child}. The page of {uaddr} is shared copy-on-write: "
                        f"frame {mine} in both processes.")
        else:
            said.append(f"pid {pid} forks pid {child}. The page of {uaddr} is pinned, so fork copies it for the "
                        f"child at once (frame {theirs}); pid {pid} keeps frame {mine}, and its waiter with it.")
        after = after[after.index(fork.string) + 1:]

    wake = next((m for m in map(WAKE.match, after) if m and m[3] == uaddr), None)
    before_wake = after[:after.index(wake.string)] if wake else after
    moves = [m for m in map(COW.match, before_wake) if m and m[1] == pid and m[2] == page]
    for m in moves:
        old, new = frame(m[3]), frame(m[4])
        if old != new:
            owner = f"pid {child}'s alone" if child else "someone else's"
            said.append(f"pid {pid} writes the page: copy-on-write gives it a new frame {new}; "
                        f"frame {old} is now {owner}.")
        else:
            said.append(f"pid {pid} writes the page: it is the frame's last owner and keeps frame {old}.")
    if fork and not moves and wake:
        if child and frame(fork[4]) != frame(fork[5]):
            said.append(f"pid {pid} writes the page: no copy-on-write fault, the page has been its own since the fork.")
        else:
            said.append(f"No copy-on-write of the page was logged before the wake.")

    if wake:
        woken = int(wake[5])
        looked = PHYS_KEY.search(wake[4])
        found = f"finds the waiter (woken={woken})" if woken else "finds nobody there (woken=0)"
        if looked:
            said.append(f"pid {pid} wakes {uaddr}: the wake computes the key from the page as it is now, "
                        f"{short(wake[4])}, which names frame {frame(looked[1])}, and {found}.")
        else:
            said.append(f"pid {pid} wakes {uaddr}: the wake computes the key from the address, {short(wake[4])}, "
                        f"and {found}.")
    else:
        said.append(f"No wake of {uaddr} was logged.")

    timeout = next((m for m in map(TIMEOUT.match, lines) if m and m[3] == uaddr), None)
    if timeout:
        queued = PHYS_KEY.search(timeout[4])
        where = f" under frame {frame(queued[1])}" if queued else ""
        said.append(f"The waiter, still queued{where}, times out: the wakeup was lost.")

    passed = f"PASS {name}" in lines
    failure = next((l for l in lines if l.startswith(f"FAIL {name}:")), None)
    lost = bool(failure and "lost wakeup" in failure)
    if design == "nosticky":
        ok = lost and bool(timeout)
        verdict = (f"=> FAIL, as expected: this is the 2002 bug, the lost wakeup that sticky pages fixed ({failure})"
                   if ok else f"=> UNEXPECTED under nosticky: {failure or 'the program passed'}")
    else:
        ok = passed and not timeout
        verdict = "=> PASS" if ok else f"=> UNEXPECTED: {failure or 'no PASS line'}"
    return said, verdict, ok


def compare(cfg, log_dir, say=print):
    """Runs cfg's one program under each design and tells each story -> exit status."""
    if len(cfg.programs) != 1:
        raise guestrun.UsageError("--futex=compare runs one program")
    name = cfg.programs[0].name
    all_ok = True
    for design in guestrun.DESIGNS:
        log = os.path.join(log_dir, f"demo-{design}.log")
        run_cfg = dataclasses.replace(cfg, futex=design, kernel_log=log,
                                      log=f"{cfg.log},{LOG_SPEC}" if cfg.log else LOG_SPEC)
        run = guestrun.boot(run_cfg)
        verdict = guestrun.judge([(name, "fail" if design == "nosticky" else "pass")], run, run_cfg.timeout)
        said, ending, ok = narrate(design, name, run.all_lines)
        if not verdict.ok and ok:
            ok, ending = False, "=> UNEXPECTED: " + "; ".join(verdict.reasons)
        say(f"== futex={design}: {HEADLINES[design]}")
        for i, sentence in enumerate(said, 1):
            say(f"  {i}. {sentence}")
        say(f"  {ending}   (the kernel's log: {os.path.relpath(log)})")
        say("")
        all_ok &= ok
    return 0 if all_ok else 1
