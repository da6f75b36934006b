using Sticky.Arch;

namespace Sticky.Debug
{
    // The kernel's last words: cause, registers, symbolized backtrace, then stop.
    public static unsafe class Panic
    {
        private static int _inPanic;

        public static void Halt(string reason)
        {
            Begin();
            Console.Write("KERNEL PANIC: ");
            Console.WriteLine(reason);
            Backtrace.Print(Cpu.ReadFramePointer());
            End();
        }

        public static void UnhandledException(Internal.Runtime.MethodTable* type, string message)
        {
            Begin();
            Console.Write("KERNEL PANIC: unhandled exception ");
            Symbols.WriteSymbol((ulong)type);
            if ((object)message != null) { Console.Write(": "); Console.Write(message); }
            Console.WriteLine();
            Backtrace.Print(Cpu.ReadFramePointer());
            End();
        }

        private static void Begin()
        {
            Cpu.DisableInterrupts();
            if (_inPanic++ > 0)
            {
                // A fault while panicking: do not recurse into the same failure.
                Console.ForceUnlock();
                Console.WriteLine("\nKERNEL PANIC (nested): giving up");
                Machine.Exit(Machine.ExitPanic);
            }
            Console.ForceUnlock();
            Console.WriteLine();
        }

        private static void End()
        {
            Console.WriteLine("---[ end kernel panic ]---");
            Machine.Exit(Machine.ExitPanic);
        }
    }
}
