using Sticky.Mm;
using Sticky.Proc;
using Sticky.Sys;
using Sticky.Time;

namespace Sticky.Debug
{
    // The kernel monitor: Ctrl-] then `m` on the serial console prints the
    // state of the system while it keeps running: processes and threads with
    // what they wait on, futex waiters with keys and pins, memory, scheduler
    // counters; Ctrl-] then `h` lists the keys. Ctrl-] Ctrl-] sends one Ctrl-]
    // to the program reading the console; Ctrl-] followed by anything else
    // sends both bytes. Ctrl-] is no terminal's signal key (unlike Ctrl-C,
    // Ctrl-\, Ctrl-Z) and not QEMU's escape (Ctrl-A). A kernel thread prints,
    // so nothing is printed inside the interrupt.
    public static unsafe class Monitor
    {
        public const byte Escape = 0x1D;   // Ctrl-]
        public const int Consume = 0, Pass = 1, PassEscapeThenByte = 2;

        private const byte ReportKey = (byte)'m', HelpKey = (byte)'h';

        private static bool _escapePending;
        private static byte _requested;   // the key whose answer the monitor thread owes (0: none)
        private static WaitQueue _wakeup;

        // Says how to reach the monitor: before init starts, so that no line
        // of init's can land in the middle of this one (the console is unlocked).
        public static void Announce() =>
            Console.WriteLine("monitor: press Ctrl-] then m on the console for a report, Ctrl-] then h for its keys");

        public static void Start()
        {
            _wakeup = new WaitQueue();
            Scheduler.Spawn("monitor", &Loop, 0);
        }

        // Serial receive interrupt: what to do with byte `b`.
        public static int Filter(byte b)
        {
            if (!_escapePending)
            {
                if (b != Escape) return Pass;
                _escapePending = true;
                return Consume;
            }
            _escapePending = false;
            if (b == Escape) return Pass;
            if (b != ReportKey && b != HelpKey) return PassEscapeThenByte;
            ulong flags = Scheduler.Lock();
            _requested = b;
            Scheduler.WakeLocked(_wakeup, 1);
            Scheduler.Unlock(flags);
            return Consume;
        }

        private static void Loop(ulong _)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                byte key = _requested;
                if (key == 0) { Scheduler.WaitLocked(_wakeup, 0, flags); continue; }
                _requested = 0;
                Scheduler.Unlock(flags);
                if (key == HelpKey) Help(); else Report();
            }
        }

        public static void Help()
        {
            Console.WriteLine("=== stickyos monitor keys (after Ctrl-]) ===");
            Console.WriteLine("  m        report: processes, threads, futex waiters, memory, scheduler");
            Console.WriteLine("  h        this list");
            Console.WriteLine("  Ctrl-]   a Ctrl-] for the program reading the console");
            Console.WriteLine("  other    both keys go to the program");
            Console.WriteLine("(QEMU's own keys: Ctrl-A then h on a terminal; Ctrl-A then x quits)");
        }

        public static void Report()
        {
            Console.Write("=== stickyos monitor: uptime ");
            Console.Fixed(Clock.NowNanoseconds / 1000000, 3);
            Console.WriteLine(" s ===");
            ulong flags = Scheduler.Lock();   // the lists hold still while we print
            Processes();
            CpuLines();
            Scheduler.Unlock(flags);
            Futexes.Dump();
            MemoryReport.Print();
            Console.Write("scheduler: ");
            Console.Dec((long)Scheduler.Switches);
            Console.Write(" switches, ");
            Console.Dec((long)Clock.Ticks);
            Console.Write(" ticks, ");
            Console.Dec(KernelStackAllocator.LiveStacks);
            Console.WriteLine(" threads with kernel stacks");
            TlbShootdown.PrintCounts();
            Console.WriteLine("=== end of monitor report ===");
        }

        // cpu 1: running tid 7 (threads), 1200 switches      (scheduler lock held)
        private static void CpuLines()
        {
            for (int cpu = 0; cpu < Scheduler.CpuCount; cpu++)
            {
                Console.Write("cpu ");
                Console.Dec(cpu);
                Thread t = Scheduler.RunningOnLocked(cpu);
                if (Scheduler.IsIdleLocked(cpu)) Console.Write(": idle");
                else if (t != null)
                {
                    Console.Write(": running ");
                    Console.Write(t.Process != null ? "tid " : "kernel thread ");
                    Console.Dec(t.Id);
                    Console.Write(" (");
                    if (t.Process != null) t.Process.WriteName(); else Console.Write(t.Name);
                    Console.Write(")");
                }
                Console.Write(", ");
                Console.Dec((long)Scheduler.SwitchesOnLocked(cpu));
                Console.WriteLine(" switches");
            }
        }

        private static void Processes()
        {
            Console.Write("processes: ");
            Console.Dec(Sticky.Proc.Processes.LiveCount);
            Console.WriteLine();
            for (Process p = Sticky.Proc.Processes.First; p != null; p = p.NextInTable)
            {
                Console.Write("  pid ");
                Console.Dec(p.Pid);
                Console.Write(" (");
                p.WriteName();
                Console.Write(") parent ");
                Console.Dec(p.Parent != null ? p.Parent.Pid : 0);
                Console.Write(p.State == ProcessState.Zombie ? " zombie" : p.Exiting ? " exiting" : " alive");
                Console.Write(", ");
                Console.Dec(p.LiveThreads);
                Console.WriteLine(" threads");
                for (Thread t = p.FirstThread; t != null; t = t.NextInProcess) ThreadLine(t, p);
            }
            for (Thread t = Scheduler.AllThreads; t != null; t = t.NextAll)
                if (t.Process == null) ThreadLine(t, null);
        }

        private static void ThreadLine(Thread t, Process p)
        {
            Console.Write(p != null ? "    tid " : "  kernel thread ");
            Console.Dec(t.Id);
            if (p == null) { Console.Write(" ("); Console.Write(t.Name); Console.Write(")"); }
            switch (t.State)
            {
                case ThreadState.Running: Console.Write(" running"); break;
                case ThreadState.Runnable: Console.Write(" runnable"); break;
                case ThreadState.Dead: Console.Write(" dead"); break;
                default: Console.Write(" blocked: "); Console.Write(WaitingFor(t, p)); break;
            }
            if (t.State == ThreadState.Blocked && t.WaitDeadline != 0)
            {
                ulong now = Clock.NowNanoseconds;
                Console.Write(", deadline in ");
                Console.Fixed(t.WaitDeadline > now ? (t.WaitDeadline - now) / 1000000 : 0, 3);
                Console.Write(" s");
            }
            if (t.FutexWord != 0) { Console.Write(" at "); Console.Address(t.FutexWord); }
            Console.WriteLine();
        }

        private static string WaitingFor(Thread t, Process p)
        {
            if (t.FutexWord != 0) return "futex";
            if (p != null && t.WaitingOn == p.ChildEvents) return "wait4";
            if (t.WaitingOn == null && t.WaitDeadline != 0) return "sleep";   // queue-less and not a futex: SleepUntil
            return "wait queue";
        }
    }
}
