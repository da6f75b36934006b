#!/usr/bin/env python3
"""Tests of tools/run-guest without a real kernel (a few seconds):
`python3 tools/testlib/selftest/test_run_guest.py`.

QEMU is replaced by ./qemu-system-x86_64 (first on PATH, so the real
tools/qemu-run and its timeout run), which plays init over the initramfs it
is given (fake_init.py); each "program" is a script saying what it does."""
import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_GUEST = os.path.join(HERE, "..", "..", "run-guest")

SCRIPTS = {
    "hello": "out hello from the fake\nout PASS hello\nexit 0",
    "threads": "out PASS threads\nexit 0",
    "good": "out PASS good\nexit 0",
    "bad": "out FAIL bad: expected 1, got 2\nexit 1",
    "segv": "out about to crash\nsignal SIGSEGV",
    "leaky": "leak frames 3\nleak processes 1\nout PASS leaky\nexit 0",
    "pinleak": "leak pinned 2\nleak heap 96\nexit 0",
    "hangs": "out working\nhang",
    "boom": "panic",
    "cow": "[nosticky] out FAIL cow: lost wakeup\n[nosticky] exit 1\nout PASS cow\nexit 0",
}


class RunGuest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="run-guest-selftest.")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.build = os.path.join(self.tmp, "build")
        for d in ("user", "guest"):
            os.makedirs(os.path.join(self.build, d))
        open(os.path.join(self.build, "kernel.elf"), "w").close()      # only its existence is checked
        self.write(os.path.join(self.build, "user", "init"), "the init binary")
        for name in ("hello", "threads"):
            self.write(os.path.join(self.build, "guest", name), SCRIPTS[name])

    def write(self, path, text):
        with open(path, "w") as f:
            f.write(text)
        return path

    def prog(self, name, subdir="progs"):
        os.makedirs(os.path.join(self.tmp, subdir), exist_ok=True)
        return self.write(os.path.join(self.tmp, subdir, name), SCRIPTS[name])

    def run_guest(self, *args):
        env = dict(os.environ, PATH=HERE + os.pathsep + os.environ["PATH"], STICKY_BUILD=self.build)
        p = subprocess.run([RUN_GUEST, *args], env=env, capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def test_default_demo(self):
        rc, out, err = self.run_guest()
        self.assertIn("cmdline: acct\n", out)               # no run=: init's own list
        self.assertIn("hello from the fake\n", out)         # streamed, CR LF -> LF
        self.assertIn("run-guest: PASS: hello, threads", err)
        self.assertEqual(rc, 0)

    def test_programs_and_options(self):
        rc, out, err = self.run_guest("--futex=virtkey", "--trace", self.prog("good"), "--mem=256M",
                                      self.prog("cow"))
        self.assertIn("cmdline: run=good,cow futex=virtkey trace=all acct\n", out)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.run_guest("--trace=7", self.prog("good"))
        self.assertIn("cmdline: run=good trace=7 acct\n", out)

    def test_program_fails(self):
        rc, out, err = self.run_guest(self.prog("good"), self.prog("bad"))
        self.assertIn("run-guest: bad exited 1 (FAIL bad: expected 1, got 2)", err)
        self.assertNotIn("good exited", err)
        self.assertEqual(rc, 1)

    def test_nosticky_bug(self):
        rc, out, err = self.run_guest("--futex=nosticky", self.prog("cow"))
        self.assertIn("run-guest: cow exited 1 (FAIL cow: lost wakeup)", err)
        self.assertEqual(rc, 1)

    def test_signal(self):
        rc, out, err = self.run_guest(self.prog("segv"))
        self.assertIn("run-guest: segv exited SIGSEGV (fault: page fault", err)
        self.assertEqual(rc, 1)

    def test_leaks(self):
        rc, out, err = self.run_guest(self.prog("leaky"), self.prog("good"), self.prog("pinleak"))
        self.assertIn("run-guest: leaked 3 frames after leaky\n", err)
        self.assertIn("run-guest: leaked 1 processes after leaky\n", err)
        self.assertIn("run-guest: leaked 2 pinned frames after pinleak\n", err)
        self.assertIn("run-guest: leaked 96 heap bytes after pinleak\n", err)
        self.assertNotIn("after good", err)                 # blamed on the program that leaked
        self.assertEqual(rc, 1)

    def test_hang(self):
        rc, out, err = self.run_guest("--timeout=2", self.prog("good"), self.prog("hangs"))
        self.assertIn("run-guest: timed out after 2 s while hangs was running", err)
        self.assertIn("  | tick 99", err)                   # the tail of the serial log
        self.assertEqual(rc, 1)

    def test_panic(self):
        rc, out, err = self.run_guest(self.prog("boom"))
        self.assertIn("run-guest: kernel panic while boom was running: KERNEL PANIC: Page fault", err)
        self.assertEqual(rc, 1)

    def test_bad_requests(self):
        good = self.prog("good")
        for args, message in [
                (["--smp=2", good], "SMP is not supported yet"),
                (["--futex=magic", good], "invalid choice: 'magic'"),
                ([good, os.path.join(self.tmp, "nothere")], "nothere not found"),
                ([good, self.prog("good", "other")], "have the same basename 'good'"),
                (["--kernel=" + os.path.join(self.tmp, "nokernel"), good], "kernel"),
                ([self.write(os.path.join(self.tmp, "init"), "x")], "cannot be a run= entry")]:
            rc, out, err = self.run_guest(*args)
            self.assertIn(message, err, args)
            self.assertEqual((rc, out), (2, ""), args)


if __name__ == "__main__":
    unittest.main()
