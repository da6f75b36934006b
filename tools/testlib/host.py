"""Host unit tests: `dotnet test` over tests/host, results read from its TRX file."""
import os
import re
import xml.etree.ElementTree as ET

from .core import Result, run_logged

SUITE = "host"
NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
HOST_LIMIT = 900    # seconds for build + run; xunit itself never times a test out


def tests(ctx):
    results_dir = os.path.join(ctx.build, "test-results")
    trx = os.path.join(results_dir, "host.trx")
    if os.path.exists(trx):
        os.remove(trx)          # a stale file would hide a failed build
    argv = ["dotnet", "test", ctx.host_project, "--nologo",
            "--logger", "trx;LogFileName=host.trx", "--results-directory", results_dir]
    if test_filter := name_filter(ctx.keyword):
        argv += ["--filter", test_filter]
    env = dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
    log = os.path.join(results_dir, "dotnet-test.log")
    try:
        run = run_logged(argv, HOST_LIMIT, log, cwd=ctx.root, env=env)
    except FileNotFoundError:
        yield Result(SUITE, "dotnet", "fail", "dotnet not found on PATH (see tools/setup)")
        return
    if run.timed_out:
        yield Result(SUITE, "dotnet", "fail", f"dotnet test timed out after {run.secs:.0f}s",
                     run.secs, f"tail of {ctx.rel(log)}", run.tail())
        return
    if not os.path.exists(trx):
        # No results at all: the build failed (or restore did). Show the
        # compiler's errors once each; MSBuild repeats them in its summary.
        errors = list(dict.fromkeys(l.strip() for l in run.lines if re.search(r": error \w+", l)))
        yield Result(SUITE, "build", "fail", f"build failed: dotnet test exited {run.rc} without running tests",
                     run.secs, f"compiler output ({ctx.rel(log)})", errors or run.tail())
        return
    failed = 0
    for r in sorted(parse_trx(trx), key=lambda r: r.name):
        failed += r.outcome == "fail"
        if ctx.wanted(SUITE, r.name):
            yield r
    if run.rc != 0 and failed == 0:
        # e.g. the test host crashed (stack overflow) after some results were written.
        yield Result(SUITE, "dotnet", "fail", f"dotnet test exited {run.rc} with no failed test",
                     run.secs, f"tail of {ctx.rel(log)}", run.tail())


def name_filter(keyword):
    """A `dotnet test --filter` that runs at least every test -k selects, or
    None to run them all. -k is a case-insensitive substring of "host/<name>"
    (<name>: the display name, as in the TRX). Without a "/" it matches all of
    them if it is part of "host", else it must be part of <name>; with one,
    what follows its first "/" must be part of <name> whatever precedes it.
    DisplayName~ is a case-insensitive substring test too; keywords with
    characters the filter syntax treats specially just run everything."""
    part = keyword.split("/", 1)[1] if "/" in keyword else keyword
    if not part or ("/" not in keyword and part.lower() in SUITE) or not re.fullmatch(r"[\w.]+", part):
        return None
    return f"DisplayName~{part}"


def parse_trx(path):
    for r in ET.parse(path).getroot().iterfind("t:Results/t:UnitTestResult", NS):
        outcome = {"Passed": "pass", "NotExecuted": "skip"}.get(r.get("outcome"), "fail")
        message = r.findtext("t:Output/t:ErrorInfo/t:Message", "", NS).strip()
        stack = r.findtext("t:Output/t:ErrorInfo/t:StackTrace", "", NS)
        if outcome == "pass":
            message = ""
        elif not message:
            message = f"outcome {r.get('outcome')}"
        # Frames with a source location are the test's own; runtime frames are noise.
        frames = [l.strip() for l in stack.splitlines() if " in " in l]
        secs = _secs(r.get("duration"))
        secs = secs if secs and secs >= 0.1 else None    # "(0.0s)" on every unit test is noise
        yield Result(SUITE, r.get("testName"), outcome, message, secs,
                     "stack", frames if outcome == "fail" else [])


def _secs(duration):
    m = re.fullmatch(r"(\d+):(\d+):(\d+(?:\.\d+)?)", duration or "")
    return int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3]) if m else None
