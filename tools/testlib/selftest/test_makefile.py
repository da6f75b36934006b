#!/usr/bin/env python3
"""What a plain `make` builds (`python3 tools/testlib/selftest/test_makefile.py`):
the kernel, as README.md says, and not the guests whose makefile is included
(its first rule used to become the default goal). A dry run (make -n) into an
empty build directory lists what it would do; nothing is built."""
import os
import subprocess
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")


class DefaultGoal(unittest.TestCase):
    def test_plain_make_builds_the_kernel(self):
        with tempfile.TemporaryDirectory(prefix="make-selftest.") as build:
            p = subprocess.run(["make", "-n", f"BUILD={build}"], cwd=ROOT, capture_output=True, text=True,
                               timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"-o {build}/kernel.elf ", p.stdout)
        self.assertNotIn(f"{build}/guest/", p.stdout)


if __name__ == "__main__":
    unittest.main()
