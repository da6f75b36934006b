using Sticky.Arch;

namespace Sticky.Mm
{
    // Which address space each CPU has in CR3. A CPU keeps a user space loaded
    // while it runs kernel threads (they never touch the lower half), so the
    // space loaded is not always the running thread's; the page-fault path uses
    // the running thread's process instead.
    public static unsafe class LoadedSpaces
    {
        private static AddressSpace<DirectMap, CpuTlb>[] _loaded;

        public static void Init() => _loaded = new AddressSpace<DirectMap, CpuTlb>[Cpus.Max];

        // Loads `space`, or only the kernel half for null, on this CPU.
        public static void Load(AddressSpace<DirectMap, CpuTlb> space)
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();   // no move to another CPU half way
            int cpu = Cpus.Current->CpuId;
            if (_loaded[cpu] != space)
            {
                if (space != null && space.Root.IsNone) Sticky.Debug.Panic.Halt("loading an address space that was destroyed");
                Cpu.WriteCr3(space != null ? space.Root.Address.Value : KernelMemory.KernelTemplate.Address.Value);
                _loaded[cpu] = space;
            }
            Cpu.RestoreInterrupts(flags);
        }

        // Interrupts off.
        public static AddressSpace<DirectMap, CpuTlb> OnThisCpu => _loaded[Cpus.Current->CpuId];
    }
}
