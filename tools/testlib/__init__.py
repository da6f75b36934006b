"""stickyos test runner library (driven by tools/run-tests).

A suite is a generator function `suite(ctx)` yielding core.Result objects as
its tests complete; it calls ctx.wanted(suite, name) before running a test so
that -k skips work. Adding a suite = writing that function + one line below.
"""
import functools

from . import cputests, debugtools, demotests, docs, exectests, gotests, guest, host, qemu, runner
from .core import Context, Result

# Run in this order: cheapest and most basic first.
SUITES = {
    "runner": runner.tests,
    "docs": docs.tests,
    "host": host.tests,
    "qemu": qemu.selftests,
    "exec": exectests.tests,
    "cpu": cputests.tests,
    "guest": guest.tests,
    "smp4": functools.partial(guest.tests, smp=4),   # the same programs on 4 CPUs
    "go": gotests.tests,
    "debug": debugtools.tests,
    "demo": demotests.tests,
}
