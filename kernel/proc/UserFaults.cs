using Sticky.Arch;
using Sticky.Debug;
using Sticky.Mm;

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

        // Exceptions.UserFaultHook. Does not return.
        public static void Kill(TrapFrame* frame) => KillWith(frame, SignalFor((int)frame->Vector), null);

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
