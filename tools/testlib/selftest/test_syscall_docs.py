#!/usr/bin/env python3
"""Checks tools/syscall-docs, the docs/syscalls.md check: it passes on the
repository and fails on each kind of drift. `python3 tools/testlib/selftest/test_syscall_docs.py`."""
import importlib.machinery
import importlib.util
import os
import sys
import unittest

sys.dont_write_bytecode = True
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
_loader = importlib.machinery.SourceFileLoader("syscall_docs", os.path.join(ROOT, "tools", "syscall-docs"))
docs = importlib.util.module_from_spec(importlib.util.spec_from_loader("syscall_docs", _loader))
_loader.exec_module(docs)

NAMES = '''public const int SecondRangeStart = 424;
public const string FirstRange = "read write " + "open close";
public const string SecondRange = "pidfd_send_signal";'''
ROWS = '''
            Row(0, "read", &Read, "dpd");
            Row(3, "close", &Close, "d");
            Row(1000, "sticky_acct", &StickyAcct, "");
'''
DOCS = '''| nr | name | what |
| --: | --- | --- |
| 0 | read | console |
| 3 | close | EBADF |
| 1000 | sticky_acct | acct |
'''


class SyscallDocs(unittest.TestCase):
    def test_repository_is_consistent(self):
        read = lambda p: open(p, encoding="utf-8").read()
        self.assertEqual(docs.problems(read(docs.ROWS), read(docs.NAMES), read(docs.DOCS)), [])

    def test_linux_names(self):
        names = docs.linux_names(NAMES)
        self.assertEqual((names[0], names[3], names[424]), ("read", "close", "pidfd_send_signal"))

    def test_consistent(self):
        self.assertEqual(docs.problems(ROWS, NAMES, DOCS), [])

    def test_row_without_docs_line(self):
        rows = ROWS.replace("            Row(1000", '            Row(424, "pidfd_send_signal", &P, "dd");\n            Row(1000')
        found = docs.problems(rows, NAMES, DOCS)
        self.assertEqual(len(found), 1)
        self.assertIn("no line `| 424 | pidfd_send_signal |", found[0])

    def test_docs_line_without_row(self):
        found = docs.problems(ROWS, NAMES, DOCS + "| 2 | open | files |\n")
        self.assertEqual(found, ["docs: 2 (open) has no row in the table (not implemented?)"])

    def test_wrong_name(self):
        rows = ROWS.replace('Row(3, "close"', 'Row(3, "shut"')
        found = docs.problems(rows, NAMES, DOCS.replace("| close |", "| shut |"))
        self.assertEqual(found, ["table: row 3 is named 'shut', Linux calls 3 'close'"])

    def test_duplicate_and_order(self):
        rows = ROWS + '            Row(0, "read", &Read2, "dpd");\n'
        found = docs.problems(rows, NAMES, DOCS)
        self.assertIn("table: 0 has two rows (read, read)", found)
        self.assertIn("table: rows are not in number order", found)

    def test_unreadable_row(self):
        found = docs.problems(ROWS + "            Row(NR_OPEN, \"open\", &Open, \"s\");\n", NAMES, DOCS)
        self.assertEqual(len(found), 1)
        self.assertIn("cannot read this row", found[0])


if __name__ == "__main__":
    unittest.main()
