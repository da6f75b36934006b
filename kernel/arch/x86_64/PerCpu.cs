namespace Sticky.Arch
{
    // Everything that exists once per CPU. GS points here in the kernel (swapgs
    // on entry from ring 3), so the syscall path and the scheduler can find the
    // current CPU without a lookup. One instance today; SMP adds an array.
    public unsafe struct PerCpu
    {
        // Offsets 0 and 8 are read by asm (syscall entry): keep them first.
        public ulong Self;               // 0: linear address of this struct
        public ulong ScratchUserRsp;     // 8: user RSP parked during syscall entry
        public ulong KernelStackTop;     // 16: RSP0 of the running thread
        public int CpuId;
        public ulong LoadedFsBase;       // what the FS base MSR holds (UserMode.LoadFsBase)
        public Gdt.Table Gdt;
        public TaskState Tss;

        private const int IstStackSize = 16 * 1024;
        public fixed byte DoubleFaultStack[IstStackSize];
        public fixed byte NmiStack[IstStackSize];
        public fixed byte MachineCheckStack[IstStackSize];
    }

    public static unsafe class Cpus
    {
        private static PerCpu _boot;

        public static bool IsIstStack(ulong address, ulong size)
        {
            byte* start = Boot->DoubleFaultStack;
            byte* end = Boot->MachineCheckStack + 16 * 1024;
            return address >= (ulong)start && address + size <= (ulong)end;
        }

        // One load through GS (PerCpu.Self), not an MSR read: it is on the switch path.
        public static PerCpu* Current => (PerCpu*)Cpu.ReadPerCpuSelf();
        public static PerCpu* Boot { get { fixed (PerCpu* p = &_boot) return p; } }

        // GDT with this CPU's TSS, IST stacks for faults that must not trust RSP, IDT, GS.
        public static void InitBootCpu()
        {
            PerCpu* c = Boot;
            c->Self = (ulong)c;
            c->CpuId = 0;
            c->Tss.Ist1 = (ulong)c->DoubleFaultStack + 16 * 1024;
            c->Tss.Ist2 = (ulong)c->NmiStack + 16 * 1024;
            c->Tss.Ist3 = (ulong)c->MachineCheckStack + 16 * 1024;
            c->Tss.IoMapBase = (ushort)sizeof(TaskState);   // no I/O bitmap
            Sticky.Arch.Gdt.Load(&c->Gdt, &c->Tss);
            Cpu.WriteMsr(Cpu.MsrGsBase, (ulong)c);
            Cpu.WriteMsr(Cpu.MsrKernelGsBase, 0);
            Idt.Init();
            UserMode.InitCpu();
            Fpu.InitCpu();
        }
    }
}
