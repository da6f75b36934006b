using Sticky.Arch;
using Sticky.Debug;
using Sticky.Mm;
using Sticky.Signal;

namespace Sticky.Proc
{
    // A fault in ring 3 that the memory manager could not resolve: the process
    // dies with the signal Linux's default action would give it, and the
    // kernel says so in one line. Nothing else is affected.
    public static unsafe class UserFaults
    {
        public static int SignalFor(int vector)
        {
            switch (vector)
            {
                case Exceptions.DivideError: case Exceptions.X87: case Exceptions.Simd: return Signals.SIGFPE;
                case Exceptions.Debug: case Exceptions.Breakpoint: return Signals.SIGTRAP;
                case Exceptions.InvalidOpcode: return Signals.SIGILL;
                case Exceptions.AlignmentCheck: case Exceptions.StackFault: return Signals.SIGBUS;
                default: return Signals.SIGSEGV;   // #PF, #GP (privileged instructions, non-canonical addresses), the rest
            }
        }

        // Exceptions.UserFaultHook: the fault's signal goes to the faulting
        // thread. Returns if a handler will run (on the way back to ring 3);
        // with the default action the process dies here, with the report line.
        public static void Kill(TrapFrame* frame)
        {
            int signal = SignalFor((int)frame->Vector);
            Thread t = Scheduler.Current;
            if (t.Process == null) return;
            ulong cr2 = frame->Vector == Exceptions.PageFault ? Cpu.ReadCr2() : 0;
            t.FaultTrap = frame->Vector;
            t.FaultError = frame->ErrorCode;
            t.FaultAddress = cr2;
            SigInfo info = InfoFor(frame, signal, cr2);
            ulong flags = Scheduler.Lock();
            bool handled = SignalSend.ForceLocked(t, info);
            Scheduler.Unlock(flags);
            if (!handled) KillWith(frame, signal, null);
        }

        // What Linux puts in siginfo for each fault.
        private static SigInfo InfoFor(TrapFrame* frame, int signal, ulong cr2)
        {
            switch ((int)frame->Vector)
            {
                case Exceptions.PageFault:
                    return SigInfo.Fault(signal, (frame->ErrorCode & 1) != 0 ? SigInfo.SEGV_ACCERR : SigInfo.SEGV_MAPERR, cr2);
                case Exceptions.DivideError: return SigInfo.Fault(signal, SigInfo.FPE_INTDIV, frame->Rip);
                case Exceptions.InvalidOpcode: return SigInfo.Fault(signal, SigInfo.ILL_ILLOPN, frame->Rip);
                case Exceptions.AlignmentCheck: return SigInfo.Fault(signal, SigInfo.BUS_ADRALN, 0);
                default: return new SigInfo { Signo = signal, Code = SigInfo.SI_KERNEL };   // #GP, int3, ...
            }
        }

        // KernelPageFaults.OutOfMemoryHook, the OOM killer: like Linux's, it kills the
        // process with the most resident pages (never init) with SIGKILL, and the
        // faulting access is retried once the victim had a moment to exit. While
        // an earlier victim is still dying, it waits for that one instead of
        // choosing another. Only if the faulting process is itself the largest
        // does it die.
        public static bool KillOutOfMemory(TrapFrame* frame)
        {
            Process self = Processes.Current;
            ulong flags = Scheduler.Lock();   // victims cannot be reaped while we choose
            bool victimDying = Processes.AnyDyingWithMemoryLocked();
            Process victim = victimDying ? null : Processes.LargestResidentLocked();
            bool killSelf = !victimDying && (victim == null || victim == self);
            if (!victimDying && !killSelf)
            {
                ulong lineFlags = Console.Lock();
                Console.Write("fault: out of memory: pid ");
                Console.Dec(self.Pid);
                Console.Write(" needs a frame; killing pid ");
                Console.Dec(victim.Pid);
                Console.Write(" (");
                victim.WriteName();
                Console.WriteLine("), the largest process, with SIGKILL");
                Console.Unlock(lineFlags);
                Processes.KillLocked(victim, Signals.SIGKILL);
            }
            Scheduler.Unlock(flags);
            if (killSelf)
            {
                KillWith(frame, Signals.SIGKILL, "out of memory: ");
                return false;
            }
            Scheduler.Sleep(1_000_000);   // the victim's threads exit, its frames come back
            return true;
        }

        private static void KillWith(TrapFrame* frame, int signal, string why)
        {
            Process p = Processes.Current;
            if (p == null) return;   // a kernel thread in ring 3 cannot happen; let the panic report it
            Report(p, frame, signal, why);
            Processes.Kill(p, signal);
            Processes.ExitThread(0);
        }

        // fault: pid 7 (crash) tid 7 SIGSEGV Page fault (#PF) not-present write user-mode at rip 0x401a2b addr 0x0 (no region)
        private static void Report(Process p, TrapFrame* frame, int signal, string why)
        {
            ulong flags = Console.Lock();
            Console.Write("fault: ");
            if (why != null) Console.Write(why);
            Console.Write("pid ");
            Console.Dec(p.Pid);
            Console.Write(" (");
            p.WriteName();
            Console.Write(") tid ");
            Console.Dec(Scheduler.Current.Id);
            Console.Write(" ");
            Console.Write(Signals.Name(signal) ?? "signal");
            Console.Write(" ");
            Console.Write(Exceptions.Name((int)frame->Vector));
            if (frame->Vector == Exceptions.PageFault)
            {
                Console.Write(" ");
                Exceptions.WritePageFaultBits(frame->ErrorCode);
            }
            else if (frame->ErrorCode != 0)
            {
                Console.Write(" error ");
                Console.Address(frame->ErrorCode);
            }
            Console.Write(" at rip ");
            Console.Address(frame->Rip);
            UserSymbols.Describe(p, frame->Rip);
            if (frame->Vector == Exceptions.PageFault)
            {
                ulong address = Cpu.ReadCr2();
                Console.Write(" addr ");
                Console.Address(address);
                Console.Write(" ");
                if (Panic.RegionDescriber != null) Panic.RegionDescriber(address);
            }
            Console.Write(" rsp ");
            Console.Address(frame->Rsp);
            Console.WriteLine();
            Console.Unlock(flags);
        }
    }
}
