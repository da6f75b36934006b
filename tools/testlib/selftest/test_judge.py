#!/usr/bin/env python3
"""Checks guestrun.judge on hand-written serial logs (no QEMU):
`python3 tools/testlib/selftest/test_judge.py`."""
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from testlib import guestrun  # noqa: E402
from testlib.core import Run  # noqa: E402

ACCT = "acct free-frames=100 heap-bytes=500 processes=1 pinned-frames=0"


def run(*lines, rc=35):
    return Run(rc, list(lines), 1.0, False)


def refused(*extra, status="127"):
    return run(ACCT, "init: cannot run bad: Exec format error", f"exit bad {status}", ACCT,
               "PASS hello", "exit hello 0", ACCT, *extra)


class Refused(unittest.TestCase):
    expected = {"bad": "refused", "hello": "pass"}

    def test_refused_exec_is_ok(self):
        verdict = guestrun.judge(self.expected, refused(), 10)
        self.assertEqual((verdict.reasons, verdict.kind), ([], "ok"))

    def test_program_that_ran_is_not_refused(self):
        verdict = guestrun.judge(self.expected, refused(status="0"), 10)
        self.assertEqual(verdict.kind, "fail")
        self.assertIn("bad exited 0", verdict.reasons[0])

    def test_unexpected_init_line_still_reported(self):
        verdict = guestrun.judge(self.expected, refused("exit ghost 0"), 10)
        self.assertEqual(verdict.reasons, ["unexpected line from init: 'exit ghost 0'"])

    def test_leak_after_refusal(self):
        log = refused().lines
        log[3] = ACCT.replace("free-frames=100", "free-frames=98")
        verdict = guestrun.judge(self.expected, run(*log), 10)
        self.assertIn("leaked 2 frames after bad", verdict.reasons)


class StoppedFromOutside(unittest.TestCase):
    """A signal to QEMU makes it exit 0, like a triple fault under -no-reboot."""

    def test_signal_is_named_not_taken_for_a_reset(self):
        log = run("init: running 1 program",
                  "qemu-system-x86_64: terminating on signal 15 from pid 4242 (python3)", rc=0)
        verdict = guestrun.judge({"hello": "pass"}, log, 10)
        self.assertEqual(verdict.kind, "killed")
        self.assertIn("QEMU was stopped by signal 15 from pid 4242", verdict.reasons[0])
        self.assertFalse(any("never reported" in r for r in verdict.reasons))

    def test_our_own_timeout_stays_a_hang(self):
        log = Run(124, ["init: running 1 program", "qemu-system-x86_64: terminating on signal 15"], 1.0, True)
        verdict = guestrun.judge({"hello": "pass"}, log, 10)
        self.assertEqual(verdict.kind, "hang")
        self.assertFalse(any("stopped by" in r for r in verdict.reasons))


class FileAccounting(unittest.TestCase):
    """Inodes and open files on the acct line count as leaks too; a line
    without them (an older kernel) is compared on the fields it has."""
    expected = {"hello": "pass"}
    FULL = ACCT + " inodes=12 open-files=3"

    def judge(self, after):
        return guestrun.judge(self.expected, run(self.FULL, "PASS hello", "exit hello 0", after, rc=33), 10)

    def test_same_counts_are_ok(self):
        self.assertEqual(self.judge(self.FULL).reasons, [])

    def test_inode_and_file_leaks(self):
        verdict = self.judge(self.FULL.replace("inodes=12", "inodes=13").replace("open-files=3", "open-files=5"))
        self.assertEqual((verdict.kind, verdict.reasons),
                         ("leak", ["leaked 1 inodes after hello", "leaked 2 open files after hello"]))

    def test_missing_optional_fields_are_not_compared(self):
        self.assertEqual(self.judge(ACCT).reasons, [])

    def test_shootdown_totals_are_not_leaks(self):
        # tlb-rounds and tlb-ipis only grow: running totals for tools/run-bench, not resources.
        before = self.FULL + " tlb-rounds=4 tlb-ipis=4"
        verdict = guestrun.judge(self.expected, run(before, "PASS hello", "exit hello 0",
                                                    before.replace("=4", "=90"), rc=33), 10)
        self.assertEqual((verdict.kind, verdict.reasons), ("ok", []))


if __name__ == "__main__":
    unittest.main()
