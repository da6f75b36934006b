#!/usr/bin/env python3
"""Checks host.name_filter, the `dotnet test --filter` made from -k:
`python3 tools/testlib/selftest/test_host_filter.py`. It may run more tests
than -k selects (run-tests still filters the results), never fewer."""
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from testlib import host  # noqa: E402


class NameFilter(unittest.TestCase):
    def test_keyword_within_names(self):
        self.assertEqual(host.name_filter("CpioTests"), "DisplayName~CpioTests")
        self.assertEqual(host.name_filter("sticky.tests.fs"), "DisplayName~sticky.tests.fs")

    def test_part_after_the_slash(self):
        self.assertEqual(host.name_filter("host/Sticky.Tests"), "DisplayName~Sticky.Tests")
        self.assertEqual(host.name_filter("st/Sticky"), "DisplayName~Sticky")
        self.assertEqual(host.name_filter("qemu/fault"), "DisplayName~fault")   # runs a few, shows none
        self.assertEqual(host.name_filter('(path: "/bin'), "DisplayName~bin")   # a theory's arguments

    def test_everything(self):
        for keyword in ("", "host", "HO", "o", "host/", "t/", "Find_FileWithAnyPrefix(path", "a|b", "x~y"):
            self.assertIsNone(host.name_filter(keyword), keyword)


if __name__ == "__main__":
    unittest.main()
