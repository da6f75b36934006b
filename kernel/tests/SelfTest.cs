using Sticky.Arch;
using Sticky.Debug;
using Sticky.Platform;

namespace Sticky.Tests
{
    // In-kernel tests for what only real hardware can show (faults, interrupts,
    // paging). tools/run-tests boots the kernel once per test with `test=NAME`;
    // protocol in tests/qemu/README.md. A test returns null on success or the
    // reason it failed. `panic` tests pass only if the kernel panics and the
    // serial output contains every needle (e.g. the function name).
    public static unsafe class SelfTest
    {
        private struct Entry
        {
            public string Name, Expect, Needles;
            public delegate*<string> Run;
        }

        private const int Capacity = 64;
        private static Entry[] _tests;
        private static int _count;

        public static void Add(string name, delegate*<string> run) => Add(name, "pass", null, run);

        public static void AddPanic(string name, string needles, delegate*<string> run) => Add(name, "panic", needles, run);

        private static void Add(string name, string expect, string needles, delegate*<string> run)
        {
            if (_tests == null) _tests = new Entry[Capacity];
            if (_count == Capacity) Panic.Halt("too many self-tests: raise SelfTest.Capacity");
            _tests[_count].Name = name;
            _tests[_count].Expect = expect;
            _tests[_count].Needles = needles;
            _tests[_count].Run = run;
            _count++;
        }

        // Returns normally only when the command line asks for no test.
        public static void RunFromCommandLine(CommandLine* cmdline)
        {
            if (!cmdline->TryGet("test", out byte* name, out int length)) return;
            SelfTests.RegisterAll();
            if (CommandLine.Matches(name, length, "list"))
            {
                for (int i = 0; i < _count; i++)
                {
                    Console.Write("SELFTEST ");
                    Console.Write(_tests[i].Name);
                    Console.Write(" ");
                    Console.Write(_tests[i].Expect);
                    if ((object)_tests[i].Needles != null) { Console.Write(" "); Console.Write(_tests[i].Needles); }
                    Console.WriteLine();
                }
                Console.WriteLine("SELFTEST-END");
                Machine.Exit(Machine.ExitSuccess);
            }
            for (int i = 0; i < _count; i++)
            {
                if (!CommandLine.Matches(name, length, _tests[i].Name)) continue;
                Console.Write("TEST-BEGIN ");
                Console.WriteLine(_tests[i].Name);
                ulong framesBefore = Sticky.Mm.KernelMemory.FramesAccountedFree;
                string failure = _tests[i].Run();
                // Threads the test started return their stacks through the reaper.
                Sticky.Proc.Reaper.WaitUntilIdle(Sticky.Time.Clock.NowNanoseconds + 5_000_000_000UL);
                // Every test must give back every frame it took (xv6's countfree).
                long leaked = (long)framesBefore - (long)Sticky.Mm.KernelMemory.FramesAccountedFree;
                if ((object)failure == null && leaked != 0)
                {
                    Console.Write("TEST-FAIL ");
                    Console.Write(_tests[i].Name);
                    Console.Write(": leaked ");
                    Console.Dec(leaked);
                    Console.WriteLine(" frames");
                    Machine.Exit(Machine.ExitFailure);
                }
                if ((object)failure == null)
                {
                    Console.Write("TEST-PASS ");
                    Console.WriteLine(_tests[i].Name);
                    Machine.Exit(Machine.ExitSuccess);
                }
                Console.Write("TEST-FAIL ");
                Console.Write(_tests[i].Name);
                Console.Write(": ");
                Console.WriteLine(failure);
                Machine.Exit(Machine.ExitFailure);
            }
            Console.Write("TEST-FAIL unknown self-test: ");
            Console.WriteBytes(name, length);
            Console.WriteLine();
            Machine.Exit(Machine.ExitFailure);
        }
    }
}
