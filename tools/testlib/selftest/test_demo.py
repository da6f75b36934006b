#!/usr/bin/env python3
"""The demo's narrator on hand-written kernel logs (no QEMU):
`python3 tools/testlib/selftest/test_demo.py`. The story must follow the
numbers: the same log told under another design's name is told the same
way, and a design that behaved like the 2002 kernel is UNEXPECTED."""
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from testlib import demo, demotests  # noqa: E402

LOST = """\
[    0.100000] futex: wait queued pid=3 tid=5 uaddr=0x7fffffffc100 key=phys(frame 0x000000000041d000 +0x100) pinned={pinned}
[    0.150000] futex: fork pid=3 child=6 uaddr=0x7fffffffc100 parent-frame=0x41d000 child-frame=0x41d000
[    0.160000] mm: copy-on-write pid=6 page=0x7fffffffb000 frame 0x000000000041f000 -> 0x000000000041f000 (kept: its last owner)
[    0.180000] mm: copy-on-write pid=3 page=0x7fffffffc000 frame 0x000000000041d000 -> 0x0000000000452000 (copied)
[    0.190000] futex: wake pid=3 tid=3 uaddr=0x7fffffffc100 key=phys(frame 0x0000000000452000 +0x100) woken=0
[    2.100000] futex: wait timed out pid=3 tid=5 uaddr=0x7fffffffc100 key=phys(frame 0x000000000041d000 +0x100) pinned=0
FAIL futex_demo: lost wakeup: the wake found nobody and the waiter timed out
"""

KEPT = """\
[    0.100000] futex: wait queued pid=3 tid=5 uaddr=0x7fffffffc100 key=phys(frame 0x000000000041d000 +0x100) pinned=1
[    0.150000] futex: fork pid=3 child=6 uaddr=0x7fffffffc100 parent-frame=0x41d000 child-frame=0x43e000
[    0.170000] futex: wake pid=3 tid=3 uaddr=0x7fffffffc100 key=phys(frame 0x000000000041d000 +0x100) woken=1
PASS futex_demo
"""


def tell(design, log):
    said, verdict, ok = demo.narrate(design, "futex_demo", log.splitlines())
    return "".join(f"  {i}. {s}\n" for i, s in enumerate(said, 1)) + f"  {verdict}\n", ok


class Narrator(unittest.TestCase):
    def test_the_2002_bug(self):
        story, ok = tell("nosticky", LOST.format(pinned=0))
        self.assertTrue(ok)
        self.assertIn("shared copy-on-write: frame 0x41d000 in both processes", story)
        self.assertIn("a new frame 0x452000; frame 0x41d000 is now pid 6's alone", story)
        self.assertIn("which names frame 0x452000, and finds nobody there (woken=0)", story)
        self.assertIn("still queued under frame 0x41d000, times out", story)
        self.assertIn("this is the 2002 bug", story)
        self.assertEqual(demotests._nosticky(story, LOST.format(pinned=0)), [])

    def test_the_fix(self):
        story, ok = tell("sticky", KEPT)
        self.assertTrue(ok)
        self.assertIn("fork copies it for the child at once (frame 0x43e000); pid 3 keeps frame 0x41d000", story)
        self.assertEqual(demotests._sticky(story, KEPT), [])

    def test_sticky_that_lost_the_waiter_is_told_as_it_happened(self):
        log = LOST.format(pinned=1)
        story, ok = tell("sticky", log)
        self.assertFalse(ok)
        self.assertIn("shared copy-on-write", story)            # what the log says, not what sticky should do
        self.assertIn("=> UNEXPECTED: FAIL futex_demo: lost wakeup", story)
        self.assertNotEqual(demotests._sticky(story, log), [])

    def test_nosticky_that_kept_the_waiter_is_unexpected(self):
        story, ok = tell("nosticky", KEPT)
        self.assertFalse(ok)
        self.assertIn("=> UNEXPECTED under nosticky: the program passed", story)
        self.assertNotEqual(demotests._nosticky(story, KEPT), [])


if __name__ == "__main__":
    unittest.main()
