#!/usr/bin/env python3
"""Tests of tools/run-tests itself, without a real kernel or the real host
tests: `python3 tools/testlib/selftest/test_runner.py` (about 30 s).

QEMU is replaced by ./qemu-system-x86_64 (found first on PATH, so the real
tools/qemu-run and its timeout are exercised); the host suite is pointed at a
throwaway xunit project. Everything is written under a temporary directory."""
import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_TESTS = os.path.join(HERE, "..", "..", "run-tests")

FAKE_PROJECT = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><IsPackable>false</IsPackable></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
    <PackageReference Include="xunit" Version="2.9.3" />
    <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
  </ItemGroup>
</Project>
"""
FAKE_TESTS = """using Xunit;
namespace Fake;
public class T {
    [Fact] public void Good() => Assert.Equal(1, 1);
    [Fact] public void Bad() => Assert.Equal(1, 2);
    [Fact(Skip = "not yet")] public void Later() { }
}
"""


class RunTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="run-tests-selftest.")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.build = os.path.join(self.tmp, "build")
        os.makedirs(self.build)
        open(os.path.join(self.build, "kernel.elf"), "w").close()   # only its existence is checked

    def run_tests(self, *args, **env):
        env = dict(os.environ, PATH=HERE + os.pathsep + os.environ["PATH"],
                   STICKY_BUILD=self.build, STICKY_TEST_TIMEOUT="2", **env)
        p = subprocess.run([RUN_TESTS, *args], env=env, capture_output=True, text=True, timeout=600)
        return p.returncode, p.stdout.splitlines()

    def assertLine(self, lines, prefix):
        self.assertTrue(any(l.startswith(prefix) for l in lines), f"no line {prefix!r} in:\n" + "\n".join(lines))

    def test_every_qemu_verdict(self):
        rc, out = self.run_tests("--only", "qemu")
        self.assertEqual(rc, 1)
        self.assertLine(out, "PASS  qemu/good_pass")
        self.assertLine(out, "PASS  qemu/good_panic")
        self.assertLine(out, "FAIL  qemu/fails_reason: TEST-FAIL: expected 1, got 2")
        self.assertLine(out, "FAIL  qemu/panics_unexpectedly: KERNEL PANIC: Page fault")
        self.assertLine(out, "FAIL  qemu/panic_exits_clean: expected a kernel panic (exit 37), got exit 33")
        self.assertLine(out, "FAIL  qemu/panic_missing_needle: output lacks 'General protection'")
        self.assertLine(out, "FAIL  qemu/hangs: timed out")
        self.assertLine(out, "      | tick 99")                # the tail of the serial log
        self.assertNotIn("      | tick 59", out)              # ... and only 40 lines of it
        self.assertLine(out, "FAIL  qemu/dies_early: no TEST-PASS line, exit 1")
        self.assertEqual(out[-1], "2 passed, 6 failed")
        with open(os.path.join(self.build, "test-logs", "hangs.log")) as f:
            self.assertIn("tick 0\n", f.read())               # the full log is kept

    def test_keyword_selects_tests(self):
        rc, out = self.run_tests("--only", "qemu", "-k", "GOOD_")
        self.assertEqual((rc, out[-1]), (0, "2 passed, 0 failed"))
        self.assertFalse(os.path.exists(os.path.join(self.build, "test-logs", "hangs.log")))

    def test_nothing_run_is_a_failure(self):
        rc, out = self.run_tests("--only", "qemu", "-k", "no-such-test")
        self.assertEqual((rc, out[-1]), (1, "0 passed, 0 failed"))

    def test_kernel_without_self_tests(self):
        rc, out = self.run_tests("--only", "qemu", FAKE_KERNEL="nolist")
        self.assertLine(out, "FAIL  qemu/list: kernel did not list its self-tests")
        self.assertEqual((rc, out[-1]), (1, "0 passed, 1 failed"))

    def test_bad_listing_still_runs_good_tests(self):
        rc, out = self.run_tests("--only", "qemu", "-k", "good_", FAKE_KERNEL="badlist")
        self.assertLine(out, "      malformed line: 'SELFTEST bad/name pass'")
        self.assertEqual((rc, out[-1]), (1, "2 passed, 1 failed"))

    def test_missing_kernel(self):
        os.remove(os.path.join(self.build, "kernel.elf"))
        rc, out = self.run_tests("--only", "qemu")
        self.assertLine(out, "FAIL  qemu/list: ")
        self.assertIn("run `make kernel`", "\n".join(out))
        self.assertEqual(rc, 1)

    @unittest.skipUnless(shutil.which("dotnet"), "needs dotnet")
    def test_host_results_and_build_failure(self):
        proj = os.path.join(self.tmp, "host", "Fake.csproj")
        os.makedirs(os.path.dirname(proj))
        with open(proj, "w") as f:
            f.write(FAKE_PROJECT)
        with open(os.path.join(self.tmp, "host", "T.cs"), "w") as f:
            f.write(FAKE_TESTS)
        rc, out = self.run_tests("--only", "host", STICKY_HOST_PROJECT=proj)
        self.assertLine(out, "PASS  host/Fake.T.Good")
        self.assertLine(out, "FAIL  host/Fake.T.Bad: Assert.Equal() Failure")
        self.assertLine(out, "SKIP  host/Fake.T.Later: not yet")
        self.assertEqual((rc, out[-1]), (1, "1 passed, 1 failed, 1 skipped"))

        # -k reaches dotnet test as a filter: only the selected test runs at all.
        rc, out = self.run_tests("--only", "host", "-k", "host/fake.t.go", STICKY_HOST_PROJECT=proj)
        self.assertEqual((rc, out[-1]), (0, "1 passed, 0 failed"))
        with open(os.path.join(self.build, "test-results", "host.trx")) as f:
            self.assertEqual(f.read().count("<UnitTestResult "), 1)

        with open(os.path.join(self.tmp, "host", "T.cs"), "a") as f:
            f.write('class Broken { int x = "not an int"; }\n')
        rc, out = self.run_tests("--only", "host", STICKY_HOST_PROJECT=proj)
        self.assertLine(out, "FAIL  host/build: build failed")
        self.assertTrue(any("error CS0029" in l for l in out), "\n".join(out))
        self.assertEqual((rc, out[-1]), (1, "0 passed, 1 failed"))


# The guest suite: sources carry the metadata, build/guest/<name> is a
# fake_init.py script. (metadata line, script)
GUESTS = {
    "hello": ("", "out PASS hello\nexit 0"),
    "futex_bug": ("// guest: futex=all nosticky=fail timeout=5",
                  "[nosticky] out FAIL futex_bug: lost wakeup\n[nosticky] exit 1\nout PASS futex_bug"),
    "futex_nobug": ("// guest: futex=all nosticky=fail", "out PASS futex_nobug"),
    "futex_plain": ("/* x */\n// guest: futex=sticky,virtkey mem=256M skip-native",
                    "[virtkey] leak frames 2\nout PASS futex_plain"),
    "futex_hang": ("// guest: futex=all timeout=2", "[virtkey] hang\nout PASS futex_hang"),
    "badmeta": ("// guest: colour=blue", "exit 0"),
    "crashes": ("", "signal SIGSEGV"),
    "notbuilt": ("", None),
}


class GuestSuite(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="run-tests-selftest.")
        self.addCleanup(shutil.rmtree, self.tmp)
        self.build = os.path.join(self.tmp, "build")
        self.src = os.path.join(self.tmp, "src")
        for d in (os.path.join(self.build, "user"), os.path.join(self.build, "guest"), self.src):
            os.makedirs(d)
        for path in ("kernel.elf", "user/init"):
            open(os.path.join(self.build, path), "w").close()
        for name, (meta, script) in GUESTS.items():
            with open(os.path.join(self.src, name + ".c"), "w") as f:
                f.write(f"{meta}\nint main(void) {{ return 0; }}\n")
            if script is not None:
                with open(os.path.join(self.build, "guest", name), "w") as f:
                    f.write(script)

    def run_tests(self, *args, **env):
        env = dict(os.environ, PATH=HERE + os.pathsep + os.environ["PATH"], STICKY_BUILD=self.build,
                   STICKY_GUEST_SRC=self.src, STICKY_JOBS="3", **{"STICKY_NATIVE": "0", **env})
        p = subprocess.run([RUN_TESTS, "--only", "guest", *args], env=env, capture_output=True,
                           text=True, timeout=120)
        return p.returncode, p.stdout.splitlines()

    def test_every_guest_verdict(self):
        rc, out = self.run_tests()
        results = [l for l in out if l[:4] in ("PASS", "FAIL")]
        # Sorted by program, designs in matrix order, whatever finished first.
        self.assertEqual([l.split()[1].rstrip(":") for l in results], [
            "guest/badmeta", "guest/crashes",
            "guest/futex_bug[nosticky]", "guest/futex_bug[sticky]", "guest/futex_bug[virtkey]",
            "guest/futex_hang[nosticky]", "guest/futex_hang[sticky]", "guest/futex_hang[virtkey]",
            "guest/futex_nobug[nosticky]", "guest/futex_nobug[sticky]", "guest/futex_nobug[virtkey]",
            "guest/futex_plain[sticky]", "guest/futex_plain[virtkey]",
            "guest/hello", "guest/notbuilt"])
        self.assertLine(out, "FAIL  guest/badmeta: bad metadata 'colour=blue'")
        self.assertLine(out, "FAIL  guest/crashes: crashes exited SIGSEGV (fault: page fault")
        self.assertLine(out, "PASS  guest/futex_bug[nosticky]")
        self.assertLine(out, "FAIL  guest/futex_hang[virtkey]: timed out after 2 s while futex_hang was running")
        self.assertLine(out, "FAIL  guest/futex_nobug[nosticky]: UNEXPECTED PASS under futex=nosticky: "
                        "the 2002 bug did not reproduce")
        self.assertLine(out, "FAIL  guest/futex_plain[virtkey]: leaked 2 frames after futex_plain")
        self.assertLine(out, "FAIL  guest/notbuilt: ")
        self.assertLine(out, "      | cmdline: futex=virtkey")      # the serial tail
        matrix = out[out.index("futex matrix  nosticky         sticky  virtkey"):]
        self.assertEqual(matrix[1:5], [
            "futex_bug     FAIL (expected)  pass    pass",
            "futex_hang    pass             pass    UNEXPECTED HANG",
            "futex_nobug   UNEXPECTED PASS  pass    pass",
            "futex_plain   -                pass    UNEXPECTED LEAK"])
        self.assertEqual((rc, out[-1]), (1, "9 passed, 6 failed"))
        with open(os.path.join(self.build, "test-logs", "guest", "futex_bug.nosticky.log")) as f:
            self.assertIn("FAIL futex_bug: lost wakeup\n", f.read())

    def test_keyword(self):
        rc, out = self.run_tests("-k", "bug[sticky")
        self.assertEqual((rc, out[-1]), (0, "2 passed, 0 failed"))
        self.assertIn("futex_bug     -         pass    -", out)

    def test_native_runs(self):
        """Natively, a program must print PASS <name> and exit 0; skip-native and bad metadata leave it out."""
        scripts = {"nat_ok": "echo PASS nat_ok", "nat_fails": "echo 'FAIL nat_fails: no'; exit 1",
                   "nat_silent": "exit 0", "futex_plain": "exit 1"}
        for name, body in scripts.items():
            path = os.path.join(self.build, "guest", name)
            with open(path, "w") as f:
                f.write(f"#!/bin/sh\n{body}\n")
            os.chmod(path, 0o755)
            if name != "futex_plain":
                with open(os.path.join(self.src, name + ".c"), "w") as f:
                    f.write("int main(void) { return 0; }\n")
        rc, out = self.run_tests("-k", "native", STICKY_NATIVE="1")
        self.assertLine(out, "PASS  guest/nat_ok[native]")
        self.assertLine(out, "FAIL  guest/nat_fails[native]: natively on Linux it exited 1: FAIL nat_fails: no")
        self.assertLine(out, "FAIL  guest/nat_silent[native]: natively on Linux it exited 0")
        self.assertFalse(any("futex_plain[native]" in l or "badmeta[native]" in l for l in out), "\n".join(out))

    assertLine = RunTests.assertLine


if __name__ == "__main__":
    unittest.main()
