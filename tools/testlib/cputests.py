"""The `cpu` suite: the kernel on the CPUs it must support.

- protections_on: on QEMU's -cpu max the banner says SMEP, SMAP and UMIP are
  on, and guest programs that copy to and from user memory all the time run
  (the kernel's self-tests check CR4 and that a stray access panics).
- without_protections: on -cpu qemu64, which has none of the three, the
  banner says so and the same programs run: the user-copy routines must not
  execute stac/clac there (#UD).
"""
import os
import re
import time

from . import guestrun
from .core import Result

SUITE = "cpu"
PROGRAMS = ("hello", "syscall_errors", "kernel_addresses", "fork_copyout", "futex_ops")
CASES = (
    ("protections_on", None, "cpu: SMEP on, SMAP on, UMIP on"),
    ("without_protections", "qemu64",
     "cpu: SMEP off (not supported), SMAP off (not supported), UMIP off (not supported)"),
)


def tests(ctx):
    for name, model, banner in CASES:
        if not ctx.wanted(SUITE, name):
            continue
        start = time.monotonic()
        programs = [os.path.join(ctx.build, "guest", p) for p in PROGRAMS]
        missing = [p for p in programs if not os.path.isfile(p)]
        if missing:
            yield Result(SUITE, name, "fail", f"{ctx.rel(missing[0])} not found: run `make guests`")
            continue
        cfg = guestrun.Config.for_context(ctx, programs, timeout=max(ctx.timeout, 60))
        env = dict(os.environ, STICKY_QEMU_CPU=model) if model else None
        run = guestrun.boot(cfg, os.path.join(ctx.log_dir, SUITE, name + ".log"), cwd=ctx.root, env=env)
        reasons = list(guestrun.judge({p: "pass" for p in PROGRAMS}, run, cfg.timeout).reasons)
        if not re.search(rf"^{re.escape(banner)}\s*$", run.text, re.M):
            reasons.insert(0, f"no `{banner}` line")
        yield Result(SUITE, name, "fail" if reasons else "pass", "\n".join(reasons), time.monotonic() - start,
                     "serial log (tail)" if reasons else "", run.tail() if reasons else [])
