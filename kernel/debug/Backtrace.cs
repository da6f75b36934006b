namespace Sticky.Debug
{
    // Walks the frame-pointer chain (the kernel is compiled with frames kept:
    // ILC --codegenopt JitFramed=1) and prints one symbolized line per frame.
    public static unsafe class Backtrace
    {
        private const int MaxFrames = 64;

        public static void Print(ulong rbp) => Print(0, rbp);

        // `rip`, when non-zero, is the faulting instruction and is printed first.
        // A fault inside an asm leaf (no frame of its own) would hide its caller,
        // so the word at the interrupted RSP is shown too when it looks like a
        // return address, marked "?" as Linux does for unreliable entries.
        public static void Print(ulong rip, ulong rbp, ulong rsp = 0)
        {
            Console.WriteLine("backtrace:");
            if (rip != 0) Frame(rip, false);
            if (rsp != 0 && StackBounds.Contains(rsp, 8))
            {
                ulong candidate = *(ulong*)rsp;
                if (Symbols.TryFind(candidate, out _, out ulong offset) && offset != 0) Frame(candidate, true);
            }
            ulong previous = 0;
            int repeats = 0;
            for (int i = 0; i < MaxFrames && StackBounds.Contains(rbp, 16); i++)
            {
                ulong ret = ((ulong*)rbp)[1];
                if (ret == 0) break;
                // Deep recursion (a stack overflow) would fill the report with one line.
                if (ret == previous && i > 0) repeats++;
                else
                {
                    if (repeats > 0) Repeated(repeats);
                    repeats = 0;
                    Frame(ret, false);
                }
                previous = ret;
                ulong next = ((ulong*)rbp)[0];
                if (next <= rbp) break;   // frames grow upward; anything else is corruption
                rbp = next;
            }
            if (repeats > 0) Repeated(repeats);
        }

        private static void Repeated(int n)
        {
            Console.Write("  ... ");
            Console.Dec(n);
            Console.WriteLine(" more identical frames");
        }

        private static void Frame(ulong address, bool guess)
        {
            Console.Write(guess ? "? [" : "  [");
            Console.Address(address);
            Console.Write("] ");
            Symbols.WriteSymbol(address);
            Console.WriteLine();
        }
    }
}
