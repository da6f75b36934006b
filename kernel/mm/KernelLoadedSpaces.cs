using Sticky.Arch;

namespace Sticky.Mm
{
    // Which address space each CPU has in CR3, and (SpaceState.Cpus) which CPUs
    // have each space: the CPUs a shootdown must reach. A CPU keeps a user
    // space loaded while it runs kernel threads (they never touch the lower
    // half), so the space loaded is not always the running thread's; an idle
    // CPU loads none, so it gets no shootdowns while it sleeps.
    public static unsafe class LoadedSpaces
    {
        private static AddressSpace<DirectMap, CpuTlb>[] _loaded;

        public static void Init() => _loaded = new AddressSpace<DirectMap, CpuTlb>[Cpus.Max];

        // Loads `space`, or only the kernel half for null, on this CPU.
        public static void Load(AddressSpace<DirectMap, CpuTlb> space)
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();   // no move to another CPU half way
            int cpu = Cpus.Current->CpuId;
            var old = _loaded[cpu];
            if (old != space)
            {
                // A space whose tables are being freed (or were) would leave CR3 on
                // frames the next allocation reuses, and the CPU walking whatever
                // they then hold (a triple fault, a silent reset): a kernel bug, said loudly.
                if (space != null && space.Root.IsNone) Sticky.Debug.Panic.Halt("CR3: refusing to load an address space that is being destroyed (or was)");
                // Joins the new space's mask before its entries can be cached,
                // leaves the old one's only after its entries are gone (SpaceState).
                if (space != null && space.Tlb.State != null) fixed (int* m = &space.Tlb.State.Cpus) Atomic.Or(m, 1 << cpu);
                Cpu.WriteCr3(space != null ? space.Root.Address.Value : KernelMemory.KernelTemplate.Address.Value);
                _loaded[cpu] = space;
                if (old != null && old.Tlb.State != null) fixed (int* m = &old.Tlb.State.Cpus) Atomic.And(m, ~(1 << cpu));
            }
            Cpu.RestoreInterrupts(flags);
        }

        // Interrupts off.
        public static AddressSpace<DirectMap, CpuTlb> OnThisCpu => _loaded[Cpus.Current->CpuId];

        // Before a space is destroyed: every CPU that still has it loaded
        // (lazily, under a kernel thread) switches to the kernel half.
        public static void UnloadEverywhere(AddressSpace<DirectMap, CpuTlb> space)
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();
            if (_loaded[Cpus.Current->CpuId] == space) Load(null);
            SpaceState tlb = space.Tlb.State;
            if (tlb != null)
            {
                int cpus;
                fixed (int* m = &tlb.Cpus) cpus = Atomic.CompareExchange(m, 0, 0);
                TlbShootdown.Run(cpus, tlb.Root, 0, TlbShootdown.Everything, unload: true);
            }
            Cpu.RestoreInterrupts(flags);
        }

        // TlbShootdown's unload request, on a CPU that has the space loaded.
        public static void UnloadIfLoaded(ulong root)
        {
            var loaded = _loaded[Cpus.Current->CpuId];
            if (loaded != null && loaded.Root.Address.Value == root) Load(null);
        }
    }
}
