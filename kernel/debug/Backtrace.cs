namespace Sticky.Debug
{
    // Walks the frame-pointer chain (the kernel is compiled with frames kept:
    // ILC --codegenopt JitFramed=1) and prints one symbolized line per frame.
    public static unsafe class Backtrace
    {
        private const int MaxFrames = 32;

        public static void Print(ulong rbp) => Print(0, rbp);

        // `rip`, when non-zero, is the faulting instruction and is printed first.
        public static void Print(ulong rip, ulong rbp)
        {
            Console.WriteLine("backtrace:");
            if (rip != 0) Frame(rip);
            for (int i = 0; i < MaxFrames && IsKernelStackAddress(rbp); i++)
            {
                ulong ret = ((ulong*)rbp)[1];
                if (ret == 0) break;
                Frame(ret);
                ulong next = ((ulong*)rbp)[0];
                if (next <= rbp) break;   // frames grow upward; anything else is corruption
                rbp = next;
            }
        }

        private static void Frame(ulong address)
        {
            Console.Write("  [");
            Console.Address(address);
            Console.Write("] ");
            Symbols.WriteSymbol(address);
            Console.WriteLine();
        }

        private static bool IsKernelStackAddress(ulong p) => p >= 0xFFFF800000000000UL && (p & 7) == 0;
    }
}
