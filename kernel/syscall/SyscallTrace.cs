using Sticky.Arch;
using Sticky.Debug;
using Sticky.Time;

namespace Sticky.Sys
{
    // strace in the kernel (command line `trace=...`): one line per syscall.
    public static unsafe class SyscallTrace
    {
        public static bool Enabled;

        public static long Call(ulong nr, TrapFrame* f)
        {
            ulong start = Clock.NowNanoseconds;
            long result = Syscalls.Invoke(nr, f);
            Console.Write("trace: ");
            Console.Dec(Proc.Scheduler.Current.Id);
            Console.Write(" ");
            string name = SyscallNames.Of(nr);
            if (name != null) Console.Write(name); else Console.Dec((long)nr);
            Console.Write(" = ");
            Console.Dec(result);
            Console.Write(" <");
            Console.Dec((long)((Clock.NowNanoseconds - start) / 1000));
            Console.WriteLine("us>");
            return result;
        }
    }
}
