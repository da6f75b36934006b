#!/usr/bin/env python3
"""Tests of tools/run-guest without a real kernel (a few seconds):
`python3 tools/testlib/selftest/test_run_guest.py`.

QEMU is replaced by ./qemu-system-x86_64 (first on PATH, so the real
tools/qemu-run and its timeout run), which plays init over the initramfs it
is given (fake_init.py); each "program" is a script saying what it does."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
RUN_GUEST = os.path.join(HERE, "..", "..", "run-guest")
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from testlib import guestrun  # noqa: E402

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
    "args": "args\nexit 0",
    "env": "env FOO\nenv TERM\nenv EMPTY\nexit 0",
    "reader": "read\nread\nread\nexit 0",
}


# The initramfs run-guest packs without programs (make run), member names only.
LIST_MEMBERS = """
import importlib.machinery, importlib.util, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[1])))
loader = importlib.machinery.SourceFileLoader("run_guest", sys.argv[1])
spec = importlib.util.spec_from_loader("run_guest", loader)
rg = importlib.util.module_from_spec(spec)
loader.exec_module(rg)
print(" ".join(m[0] for m in rg.parse([]).initramfs()))
"""


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
            os.chmod(self.write(os.path.join(self.build, "guest", name), "\x7fELF\n" + SCRIPTS[name]), 0o755)

    def write(self, path, text):
        with open(path, "w") as f:
            f.write(text)
        return path

    def prog(self, name, subdir="progs"):
        os.makedirs(os.path.join(self.tmp, subdir), exist_ok=True)
        return self.write(os.path.join(self.tmp, subdir, name), "\x7fELF\n" + SCRIPTS[name])

    def env(self, **extra):
        extra.setdefault("STICKY_BUSYBOX", os.path.join(self.tmp, "no-busybox"))
        return dict(os.environ, PATH=HERE + os.pathsep + os.environ["PATH"], STICKY_BUILD=self.build, **extra)

    def run_guest(self, *args, stdin=b"", **env):
        p = subprocess.run([RUN_GUEST, *args], env=self.env(**env), input=stdin, capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def test_default_demo(self):
        rc, out, err = self.run_guest()
        self.assertIn("cmdline: acct\n", out)               # no run=: init's own list
        self.assertIn("hello from the fake\n", out)         # streamed, CR LF -> LF
        self.assertIn("run-guest: PASS: hello, threads", err)
        self.assertEqual(rc, 0)

    def test_default_run_ends_in_a_shell_with_the_tests(self):
        busybox = self.write(os.path.join(self.tmp, "busybox"), "#!/bin/sh\necho sh; echo ls; echo cat\n")
        os.chmod(busybox, 0o755)
        rc, out, err = self.run_guest(STICKY_BUSYBOX=busybox)
        self.assertIn("exit sh 0\n", out)                  # init's list ends in /bin/sh
        self.assertIn("run-guest: PASS: hello, threads, sh", err)
        self.assertEqual(rc, 0)
        listed = subprocess.run([sys.executable, "-c", LIST_MEMBERS, RUN_GUEST], env=self.env(STICKY_BUSYBOX=busybox),
                                capture_output=True, text=True, timeout=60)
        archive = listed.stdout.split()
        self.assertEqual(listed.returncode, 0, listed.stderr)
        for member in ("bin/busybox", "bin/sh", "bin/ls", "bin/cat", "tests/hello", "tests/threads", "init.env"):
            self.assertIn(member, archive)

    def test_programs_and_options(self):
        rc, out, err = self.run_guest("--futex=virtkey", "--trace", self.prog("good"), "--mem=256M",
                                      self.prog("cow"))
        self.assertIn("cmdline: futex=virtkey trace=all acct\n", out)
        self.assertIn("exit good 0\nacct", out)
        self.assertIn("exit cow 0\nacct", out)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.run_guest("--trace=7", self.prog("good"))
        self.assertIn("cmdline: trace=7 acct\n", out)

    def test_arguments_and_repeated_programs(self):
        args, good = self.prog("args"), self.prog("good")
        rc, out, err = self.run_guest(good, "--", args, "a b", "", "-x", "--", args, "--", good)
        self.assertEqual(rc, 0, err)
        runs = re.findall(r"^exit (\S+) (\S+)$", out, re.M)
        self.assertEqual(runs, [("good", "0"), ("args", "0"), ("args", "0"), ("good", "0")])
        self.assertIn("arg[0]=args\narg[1]=a b\narg[2]=\narg[3]=-x\nexit args 0\n", out)
        self.assertIn("exit args 0\nacct free-frames=1000 heap-bytes=5000 processes=1 pinned-frames=0\n"
                      "arg[0]=args\nexit args 0\n", out)     # the second run: no arguments
        self.assertIn("run-guest: PASS: good, args, args, good", err)

    def test_repeated_program_judged_per_run(self):
        bad = self.prog("bad")
        rc, out, err = self.run_guest("--", bad, "--", bad)
        self.assertEqual(err.count("run-guest: bad exited 1"), 2, err)
        self.assertEqual(rc, 1)

    def test_environment(self):
        rc, out, err = self.run_guest("--env", "FOO=a b=c", "--env=TERM=vt100", "--env", "EMPTY=", self.prog("env"))
        self.assertIn("FOO=a b=c\nTERM=vt100\nEMPTY=\n", out)
        self.assertEqual(rc, 0, err)

    def test_stdin_is_typed_on_the_console(self):
        rc, out, err = self.run_guest(self.prog("reader"), stdin=b"first line\nsecond")
        self.assertIn("read: first line\nread: second\nread: EOF\n", out)   # Ctrl-D ends the unfinished line, then EOF
        self.assertEqual(rc, 0, err)
        rc, out, err = self.run_guest(self.prog("reader"), stdin=b"")
        self.assertIn("read: EOF\n", out)

    def test_quiet(self):
        log = os.path.join(self.tmp, "kernel, quiet.log")       # a comma must survive QEMU's option syntax
        rc, out, err = self.run_guest("--quiet=" + log, "--", self.prog("args"), "x", "--", self.prog("hello"))
        self.assertEqual(out, "arg[0]=args\narg[1]=x\nhello from the fake\nPASS hello\n")
        with open(log) as f:
            kernel = f.read()
        self.assertIn("cmdline: console=ttyS1 acct\n", kernel)
        self.assertIn("exit args 0\nacct free-frames=1000 heap-bytes=5000 processes=1 pinned-frames=0\nexit hello 0\n",
                      kernel.replace("\r\n", "\n"))
        self.assertIn("run-guest: PASS: args, hello", err)
        self.assertNotIn("booting", err)
        self.assertEqual(rc, 0)
        rc, out, err = self.run_guest("--quiet", self.prog("good"))          # bare: build/kernel.log
        self.assertTrue(os.path.isfile(os.path.join(self.build, "kernel.log")), err)
        self.assertEqual((rc, out), (0, "PASS good\n"))

    def test_quiet_verdicts(self):
        rc, out, err = self.run_guest("--quiet", self.prog("good"), self.prog("leaky"), self.prog("segv"))
        self.assertIn("run-guest: leaked 3 frames after leaky\n", err)
        self.assertIn("run-guest: segv exited SIGSEGV (fault: page fault", err)
        self.assertEqual(rc, 1)

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

    def test_hang_tail_shown_once(self):
        rc, out, err = self.run_guest("--timeout=2", self.prog("good"), self.prog("hangs"))
        self.assertIn("run-guest: timed out after 2 s while hangs was running", err)
        self.assertEqual((out + err).count("tick 99"), 1, err)  # streamed, not repeated
        self.assertEqual(rc, 1)
        rc, out, err = self.run_guest("--quiet", "--timeout=2", self.prog("hangs"))
        self.assertEqual((out + err).count("tick 99"), 1)   # the program's output, on stdout
        self.assertIn("  | init: running 1 programs\n", err)   # the tail of the kernel's lines, not shown before
        self.assertEqual(rc, 1)

    def test_panic(self):
        rc, out, err = self.run_guest(self.prog("boom"))
        self.assertIn("run-guest: kernel panic while boom was running: KERNEL PANIC: Page fault", err)
        self.assertEqual(rc, 1)

    def test_bad_requests(self):
        good, text = self.prog("good"), self.write(os.path.join(self.tmp, "notes.txt"), "just text\n")
        for args, messages in [
                (["--smp=0", good], ["expected 1 to 16 CPUs"]),
                (["--smp=17", good], ["expected 1 to 16 CPUs"]),
                (["--smptest=no-magic", good], ["expected no-eager-wp and/or no-cow-break"]),
                (["--futex=magic", good], ["invalid choice: 'magic'"]),
                (["--timeout=soon", good], ["invalid float value: 'soon'"]),
                (["--mem=garbage", good], ["--mem='garbage': expected a size such as 128M"]),
                (["--mem=0", good], ["--mem='0': expected a size"]),
                (["--mem=1M", good], ["--mem=1M is too little: stickyos needs at least 9M"]),
                (["--mem=4096K", good], ["--mem=4096K is too little"]),
                (["--log=bogus,futex:loud,mm,all:debug,mm:warn,nosuch:info", good],
                 ["'bogus' is not LEVEL or SUBSYSTEM:LEVEL", "'futex:loud' is not", "'mm' is not",
                  "'nosuch:info' is not"]),
                (["--env", "NOEQUALS", "--env", "1X=y", good], ["--env 'NOEQUALS': expected NAME=VALUE",
                                                              "--env '1X=y': expected NAME=VALUE"]),
                ([good, os.path.join(self.tmp, "nothere")], ["nothere not found"]),
                ([self.tmp], [f"program {self.tmp} is a directory"]),
                ([text], [f"program {text} is not an ELF file"]),
                ([good, self.prog("good", "other")], ["have the same basename 'good'"]),
                (["--kernel=" + os.path.join(self.tmp, "nokernel"), good], ["kernel"]),
                (["--", good, "--", "--", good], ["an empty command line"]),
                ([self.write(os.path.join(self.tmp, "init"), "\x7fELF\n")], ["cannot be an initramfs program"])]:
            rc, out, err = self.run_guest(*args)
            for message in messages:
                self.assertIn(message, err, args)
            self.assertEqual((rc, out), (2, ""), args)
        # Every problem at once, each on its own line.
        rc, out, err = self.run_guest("--mem=1M", "--log=bogus", text)
        self.assertEqual(len(err.splitlines()), 3, err)
        self.assertEqual(rc, 2)

    def test_log_and_mem_rules_match_the_kernel(self):
        with open(os.path.join(ROOT, "kernel", "lib", "LogLevels.cs")) as f:
            source = f.read()
        self.assertEqual(tuple(re.findall(r'case Subsystem\.\w+: return "(\w+)";', source)), guestrun.LOG_SUBSYSTEMS)
        self.assertEqual(tuple(re.findall(r'case Level\.\w+: return "(\w+)";', source)), guestrun.LOG_LEVELS)
        for text, size in (("128M", 128 << 20), ("128", 128 << 20), ("1g", 1 << 30), ("4096K", 4 << 20)):
            self.assertEqual(guestrun.mem_bytes(text), size, text)

    def test_trace_name_that_matches_nothing(self):
        rc, out, err = self.run_guest("--trace=nosuch", self.prog("good"))
        self.assertIn("run-guest: warning: --trace=nosuch matches no program (good): nothing will be traced", err)
        self.assertEqual(rc, 0)
        for ok in ("--trace=good", "--trace=12", "--trace"):
            rc, out, err = self.run_guest(ok, self.prog("good"))
            self.assertNotIn("warning", err, ok)

    def test_any_signal_stops_qemu_and_cleans_up(self):
        hangs = self.prog("hangs")
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT):
            tmpdir = tempfile.mkdtemp(dir=self.tmp)
            pidfile = os.path.join(self.tmp, "qemu.pid")
            p = subprocess.Popen([RUN_GUEST, "--timeout=30", hangs], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=self.env(TMPDIR=tmpdir, FAKE_QEMU_PIDFILE=pidfile))
            for line in p.stdout:                    # the program runs: QEMU is up
                if b"working" in line:
                    break
            with open(pidfile) as f:
                qemu = int(f.read())
            os.kill(p.pid, sig)
            out, err = p.communicate(timeout=30)
            self.assertEqual(p.returncode, 128 + sig, err)
            self.assertIn(f"run-guest: stopped by {signal.Signals(sig).name}: QEMU ended", err.decode())
            self.assertFalse(alive(qemu), f"QEMU survived {signal.Signals(sig).name}")
            self.assertEqual(os.listdir(tmpdir), [], "left behind in the temporary directory")
            os.unlink(pidfile)


def alive(pid):
    """True while `pid` runs (a zombie is dead: only its parent is gone)."""
    for _ in range(50):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1][0] == "Z":
                    return False
        except FileNotFoundError:
            return False
        time.sleep(0.1)
    return True


if __name__ == "__main__":
    unittest.main()
