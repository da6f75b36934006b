using System.Runtime;
using System.Runtime.CompilerServices;
using Sticky.Arch;
using Sticky.Debug;

namespace Sticky.Tests
{
    // Each test provokes one kind of kernel failure; the runner checks that the
    // panic report names the cause and the function (so a broken handler or
    // symbolizer fails the test).
    public static unsafe class FaultTests
    {
        public static void Register()
        {
            SelfTest.AddPanic("fault_page_fault",
                "Page fault (#PF)|not-present write kernel-mode|CR2=0x00004000dead0000|RIP is Sticky.Tests.FaultTests::ProvokePageFault|backtrace:",
                &ProvokePageFault);
            SelfTest.AddPanic("fault_invalid_opcode",
                "Invalid opcode (#UD)|RIP is selftest_ud2|? [|Sticky.Tests.FaultTests::ProvokeInvalidOpcode",
                &ProvokeInvalidOpcode);
            SelfTest.AddPanic("fault_divide_error",
                "Divide error (#DE)|RIP is selftest_divide|Sticky.Tests.FaultTests::ProvokeDivideError",
                &ProvokeDivideError);
            SelfTest.AddPanic("fault_double_fault_bad_stack",
                "Double fault (#DF)|RIP is selftest_bad_stack_push",
                &ProvokeDoubleFault);
            SelfTest.AddPanic("panic_explicit",
                "KERNEL PANIC: self-test panic|Sticky.Tests.FaultTests::ProvokePanic",
                &ProvokePanic);
            SelfTest.AddPanic("panic_exception",
                "unhandled exception System.InvalidOperationException: self-test exception|Sticky.Tests.FaultTests::ProvokeException",
                &ProvokeException);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string ProvokePageFault()
        {
            *(ulong*)0x00004000dead0000UL = 1;   // canonical, never mapped
            return "write to an unmapped address did not fault";
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string ProvokeInvalidOpcode()
        {
            UndefinedInstruction();
            return "ud2 did not fault";
        }

        private static int _zero;

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string ProvokeDivideError()
        {
            // Through asm: C# division by zero would throw DivideByZeroException before the CPU saw it.
            ulong r = Divide(1, (ulong)_zero);
            return r == 0 ? "divide by zero did not fault" : "divide by zero returned a value";
        }

        // kernel/tests/faults.asm
        [RuntimeImport("*", "selftest_ud2")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void UndefinedInstruction();

        [RuntimeImport("*", "selftest_divide")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Divide(ulong a, ulong b);

        [RuntimeImport("*", "selftest_bad_stack_push")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void BadStackPush();

        // The page fault from the bad stack cannot push its own frame either:
        // only the IST stack lets the double-fault handler run and report.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string ProvokeDoubleFault()
        {
            BadStackPush();
            return "push on an unmapped stack did not fault";
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string ProvokePanic()
        {
            Panic.Halt("self-test panic");
            return "Panic.Halt returned";
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string ProvokeException()
        {
            throw new System.InvalidOperationException("self-test exception");
        }
    }
}
