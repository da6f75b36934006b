using Sticky.Arch;
using Sticky.Sync;

namespace Sticky.Mm
{
    // TLB shootdown: other CPUs drop translations that a change of a page
    // table made stale, before the change is relied on (a frame freed or
    // reused, a page copied, a write-protect assumed). One round at a time: the
    // initiator publishes the request (which address space, which pages),
    // sends the shootdown IPI to the CPUs that may cache them and waits, with
    // interrupts off, until each has invalidated and acknowledged.
    //
    // Deadlock rules: a round is never started while holding a spin lock
    // (another CPU may be spinning on it with interrupts off, unable to take the
    // IPI); a CPU waiting for the round lock answers the round in progress while
    // it spins (two initiators at once); the initiator holds nothing else.
    public static unsafe class TlbShootdown
    {
        // More pages than this: the target drops everything (a CR3 reload, or
        // for the kernel half a CR4.PGE toggle) instead of one invlpg each.
        public const ulong MaxPagesOneByOne = 32;
        public const ulong Everything = ulong.MaxValue;

        private static SpinLock _round;
        private static volatile int _pending;      // CPUs that have not acknowledged this round
        private static ulong _root;                // the space's PML4 address; 0 = the kernel half
        private static ulong _start, _pages;       // first page, count (Everything: all)
        private static bool _unload;               // the space is being destroyed: stop using it

        // Counters (monitor, make bench).
        public static long Rounds, Ipis, PagesInvalidated, FullFlushes;

        // tlb: 12 shootdown rounds, 30 IPIs, 120 pages invalidated remotely, 3 full flushes
        public static void PrintCounts()
        {
            ulong flags = Sticky.Debug.Console.Lock();
            Sticky.Debug.Console.Write("tlb: ");
            Sticky.Debug.Console.Dec(Rounds);
            Sticky.Debug.Console.Write(" shootdown rounds, ");
            Sticky.Debug.Console.Dec(Ipis);
            Sticky.Debug.Console.Write(" IPIs, ");
            Sticky.Debug.Console.Dec(PagesInvalidated);
            Sticky.Debug.Console.Write(" pages invalidated one by one, ");
            Sticky.Debug.Console.Dec(FullFlushes);
            Sticky.Debug.Console.WriteLine(" full flushes");
            Sticky.Debug.Console.Unlock(flags);
        }

        public static void Init() => Sticky.Arch.Interrupts.RegisterLocal(Sticky.Arch.Interrupts.ShootdownVector, &OnInterrupt);

        // `cpus`: the CPUs that may cache the translations (this one excepted:
        // the caller has invalidated its own). `root`: the address space's PML4
        // address, 0 for the kernel half (global pages, every CPU). Returns when
        // every target has invalidated.
        public static void Run(int cpus, ulong root, ulong start, ulong pages, bool unload = false)
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();
            int self = Cpus.Current->CpuId;
            cpus &= ~(1 << self) & OnlineMask();
            if (cpus == 0) { Cpu.RestoreInterrupts(flags); return; }
            while (!_round.TryAcquire()) { Answer(self); Cpu.Pause(); }
            _root = root;
            _start = start;
            _pages = pages;
            _unload = unload;
            _pending = cpus;
            Rounds++;
            for (int cpu = 0; cpu < Cpus.Count; cpu++)
            {
                if ((cpus & (1 << cpu)) == 0) continue;
                LocalApic.Send(Cpus.Get(cpu)->ApicId, Sticky.Arch.Interrupts.ShootdownVector);
                Ipis++;
            }
            while (_pending != 0) Cpu.Pause();
            _round.Release();
            Cpu.RestoreInterrupts(flags);
        }

        // Every CPU but this one, for the kernel half.
        public static void RunKernel(ulong start, ulong pages) => Run(-1, 0, start, pages);

        private static void Count(ref long counter, long n)
        {
            fixed (long* p = &counter) Atomic.Add(p, n);
        }

        private static int OnlineMask() => Cpus.Count >= 32 ? -1 : (1 << Cpus.Count) - 1;

        private static void OnInterrupt(TrapFrame* frame) => Answer(Cpus.Current->CpuId);

        // Interrupts off. Does this CPU's part of the round in progress, if it has one.
        private static void Answer(int self)
        {
            int bit = 1 << self;
            if ((_pending & bit) == 0) return;
            if (_root == 0) InvalidateKernel(_start, _pages);
            else if (_unload) LoadedSpaces.UnloadIfLoaded(_root);
            else if ((Cpu.ReadCr3() & ~0xFFFUL) == _root) InvalidateUser(_start, _pages);
            fixed (int* p = &_pending) Atomic.And(p, ~bit);
        }

        // Interrupts off: this CPU's own part of a change to the space it has
        // loaded (or to the kernel half: root 0).
        public static void InvalidateLocal(ulong root, ulong start, ulong pages)
        {
            if (root == 0) InvalidateKernel(start, pages);
            else if ((Cpu.ReadCr3() & ~0xFFFUL) == root) InvalidateUser(start, pages);
        }

        private static void InvalidateUser(ulong start, ulong pages)
        {
            if (pages > MaxPagesOneByOne) { Cpu.WriteCr3(Cpu.ReadCr3()); Count(ref FullFlushes, 1); return; }
            for (ulong i = 0; i < pages; i++) Cpu.InvalidatePage(start + i * Paging.PageSize);
            Count(ref PagesInvalidated, (long)pages);
        }

        // Kernel pages are Global: a CR3 reload keeps them, invlpg or a PGE toggle does not.
        private static void InvalidateKernel(ulong start, ulong pages)
        {
            if (pages > MaxPagesOneByOne)
            {
                ulong cr4 = Cpu.ReadCr4();
                Cpu.WriteCr4(cr4 & ~Cpu.Cr4GlobalPages);
                Cpu.WriteCr4(cr4);
                Count(ref FullFlushes, 1);
                return;
            }
            for (ulong i = 0; i < pages; i++) Cpu.InvalidatePage(start + i * Paging.PageSize);
            Count(ref PagesInvalidated, (long)pages);
        }
    }
}
