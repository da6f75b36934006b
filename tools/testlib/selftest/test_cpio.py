#!/usr/bin/env python3
"""Checks tools/testlib/cpio.py: `python3 tools/testlib/selftest/test_cpio.py`.
The archive is read back by our own reader and, when installed, by cpio(1)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from testlib import cpio  # noqa: E402

# Sizes around the 4-byte padding of names (header 110 + name + NUL) and data.
FILES = [("init", b"\x7fELF" + bytes(range(256)) * 3), ("a", b""), ("bc", b"x"),
         ("def", b"xy"), ("ghij", b"xyz"), ("futex_stack_cow", b"0123456789")]


class Cpio(unittest.TestCase):
    def test_round_trip(self):
        data = cpio.pack(FILES)
        self.assertEqual(len(data) % 4, 0)
        self.assertEqual(cpio.read(data), [(n, 0o100755, d) for n, d in FILES])
        self.assertIn(b"TRAILER!!!\0", data)

    def test_leading_slash_dropped_duplicates_refused(self):
        self.assertEqual(cpio.read(cpio.pack([("/init", b"1")]))[0][0], "init")
        with self.assertRaises(ValueError):
            cpio.pack([("x", b"1"), ("/x", b"2")])

    def test_directories_and_symlinks(self):
        members = [("bin", cpio.MODE_DIRECTORY, b""), ("bin/busybox", b"ELF"), ("bin/sh", cpio.MODE_SYMLINK, b"busybox")]
        self.assertEqual(cpio.read(cpio.pack(members)),
                         [("bin", 0o040755, b""), ("bin/busybox", 0o100755, b"ELF"), ("bin/sh", 0o120777, b"busybox")])

    def test_member_layout(self):
        data = cpio.pack([("ab", b"hello")])
        self.assertEqual(data[:6], b"070701")
        self.assertEqual(int(data[14:22], 16), 0o100755)     # mode
        self.assertEqual(int(data[54:62], 16), 5)            # filesize
        self.assertEqual(int(data[94:102], 16), 3)           # namesize with the NUL
        self.assertEqual(data[110:113], b"ab\0")
        self.assertEqual(data[116:121], b"hello")            # 110 + 3 padded to 116
        self.assertEqual(data[121:124], b"\0\0\0")           # data padded to 4

    @unittest.skipUnless(shutil.which("cpio"), "needs cpio(1)")
    def test_gnu_cpio_extracts_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            archive = os.path.join(tmp, "a.cpio")
            cpio.write(archive, FILES)
            out = os.path.join(tmp, "out")
            os.mkdir(out)
            with open(archive, "rb") as f:
                subprocess.run(["cpio", "-i", "--quiet"], stdin=f, cwd=out, check=True)
            for name, data in FILES:
                path = os.path.join(out, name)
                with open(path, "rb") as g:
                    self.assertEqual(g.read(), data, name)
                self.assertEqual(os.stat(path).st_mode & 0o777, 0o755, name)


if __name__ == "__main__":
    unittest.main()
