using Sticky.Arch;
using Sticky.Debug;

namespace Sticky.Debug
{
    // The kernel's last words: cause, registers, symbolized backtrace, then stop.
    public static unsafe class Panic
    {
        // Which CPU is reporting (its id + 1); 0 = none. One report, whoever comes first.
        private static int _reporter;

        // A panic is being reported: every other CPU stops (NMI, see Begin).
        public static bool Stopping => _reporter != 0;

        // Another CPU's panic reached this one: it stops where it is, interrupts off.
        public static void StopThisCpu()
        {
            while (true) { Cpu.DisableInterrupts(); Cpu.Halt(); }
        }

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

        // A CPU exception in kernel mode: the full machine state at the fault.
        public static void Trap(string cause, TrapFrame* f)
        {
            Begin();
            Console.Write("KERNEL PANIC: ");
            Console.Write(cause);
            Console.Write(" (vector ");
            Console.Dec((long)f->Vector);
            Console.WriteLine(f->FromUser ? ") in user mode" : ") in kernel mode");
            Console.Write("  error code 0x");
            Console.Hex(f->ErrorCode, 4);
            if (f->Vector == Exceptions.PageFault)
            {
                Console.Write(": ");
                Exceptions.WritePageFaultBits(f->ErrorCode);
                Console.WriteLine();
                Console.Write("  CR2=");
                Console.Address(Cpu.ReadCr2());
                if (RegionDescriber != null) { Console.Write("  "); RegionDescriber(Cpu.ReadCr2()); }
            }
            Console.WriteLine();
            Registers(f);
            Console.Write("  RIP is ");
            Symbols.WriteSymbol(f->Rip);
            Console.WriteLine();
            Backtrace.Print(f->Rip, f->Rbp, f->Rsp);
            End();
        }

        // Set by mm: prints which region (if any) contains a faulting address.
        public static delegate*<ulong, void> RegionDescriber;

        // Set by the process layer: names the current process and thread.
        public static delegate*<void> ContextDescriber;

        private static void Registers(TrapFrame* f)
        {
            Reg("RAX", f->Rax); Reg("RBX", f->Rbx); Reg("RCX", f->Rcx); Reg("RDX", f->Rdx); Console.WriteLine();
            Reg("RSI", f->Rsi); Reg("RDI", f->Rdi); Reg("RBP", f->Rbp); Reg("RSP", f->Rsp); Console.WriteLine();
            Reg("R8 ", f->R8); Reg("R9 ", f->R9); Reg("R10", f->R10); Reg("R11", f->R11); Console.WriteLine();
            Reg("R12", f->R12); Reg("R13", f->R13); Reg("R14", f->R14); Reg("R15", f->R15); Console.WriteLine();
            Reg("RIP", f->Rip); Reg("RFL", f->Rflags); Reg("CS ", f->Cs); Reg("SS ", f->Ss); Console.WriteLine();
            Reg("CR0", Cpu.ReadCr0()); Reg("CR2", Cpu.ReadCr2()); Reg("CR3", Cpu.ReadCr3()); Reg("CR4", Cpu.ReadCr4()); Console.WriteLine();
        }

        private static void Reg(string name, ulong value)
        {
            Console.Write("  ");
            Console.Write(name);
            Console.Write("=");
            Console.Hex(value, 16);
        }

        private static void Begin()
        {
            Cpu.DisableInterrupts();
            int self = (Cpus.Count > 1 ? Cpus.Current->CpuId : 0) + 1;
            int first;
            fixed (int* r = &_reporter) first = Atomic.CompareExchange(r, self, 0);
            if (first == self)
            {
                // A fault while panicking: do not recurse into the same failure.
                Console.WriteLine("\nKERNEL PANIC (nested): giving up");
                Machine.Exit(Machine.ExitPanic);
            }
            if (first != 0) StopThisCpu();   // another CPU reports (and powers off) for everyone
            // The others stop wherever they are, even with interrupts off, so the
            // report is the last thing on the console and the machine holds still.
            if (Cpus.Count > 1) LocalApic.SendNmiToOthers();
            Console.Seize();   // a stopped CPU may have held it
            Console.WriteLine();
        }

        private static void Context()
        {
            if (ContextDescriber != null) ContextDescriber();
            Console.Write("  uptime ");
            Console.Fixed(Sticky.Time.Clock.NowNanoseconds / 1000000, 3);
            Console.WriteLine(" s");
        }

        private static void End()
        {
            Context();
            Console.WriteLine("---[ end kernel panic ]---");
            Machine.Exit(Machine.ExitPanic);
        }
    }
}
