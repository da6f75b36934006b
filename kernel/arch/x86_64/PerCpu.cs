namespace Sticky.Arch
{
    // Everything that exists once per CPU. GS points here in the kernel (swapgs
    // on entry from ring 3), so the syscall path and the scheduler find the
    // current CPU with one load. The boot CPU's is in the image; each
    // application processor's comes from the kernel heap at bring-up (Smp.cs).
    public unsafe struct PerCpu
    {
        // Offsets 0..24 are read by asm (syscall entry, cpu.asm): keep them first.
        public ulong Self;               // 0: linear address of this struct
        public ulong ScratchUserRsp;     // 8: user RSP parked during syscall entry
        public ulong KernelStackTop;     // 16: RSP0 of the running thread
        public ulong CurrentThread;      // 24: the running Thread object (Scheduler.Current reads it in one instruction)
        public int CpuId;                // index in Cpus: 0 is the boot CPU
        public uint ApicId;
        public ulong LoadedFsBase;       // what the FS base MSR holds (UserMode.LoadFsBase)
        public Gdt.Table Gdt;
        public TaskState Tss;

        public const int IstStackSize = 16 * 1024;
        public fixed byte DoubleFaultStack[IstStackSize];
        public fixed byte NmiStack[IstStackSize];
        public fixed byte MachineCheckStack[IstStackSize];
    }

    // The table of CPUs that are up. Entries are added at boot (the boot CPU,
    // then each application processor as it starts) and never removed.
    public static unsafe class Cpus
    {
        public const int Max = Sticky.Platform.MadtInfo.MaxCpus;

        private struct Table { public fixed ulong Cpu[Max]; }
        private static PerCpu _boot;
        private static Table _table;
        private static int _count;

        public static int Count => _count;
        public static PerCpu* Get(int index)
        {
            fixed (ulong* t = _table.Cpu) return (PerCpu*)t[index];
        }

        public static bool IsIstStack(ulong address, ulong size)
        {
            for (int i = 0; i < _count; i++)
            {
                PerCpu* c = Get(i);
                ulong start = (ulong)c->DoubleFaultStack, end = (ulong)c->MachineCheckStack + PerCpu.IstStackSize;
                if (address >= start && address + size <= end) return true;
            }
            return false;
        }

        // This CPU's PerCpu. One load through GS (PerCpu.Self), not an MSR read:
        // it is on the switch path. With interrupts on, the caller may move to
        // another CPU right after: use it with interrupts off, or only for what
        // does not depend on staying (Scheduler.Current is one GS load instead).
        public static PerCpu* Current => (PerCpu*)Cpu.ReadPerCpuSelf();
        public static PerCpu* Boot { get { fixed (PerCpu* p = &_boot) return p; } }

        // Interrupts off: the kernel stack the running thread enters on from
        // ring 3 (interrupts through the TSS, syscalls through KernelStackTop).
        public static void LoadKernelStack(ulong top)
        {
            PerCpu* c = Current;
            c->Tss.Rsp0 = c->KernelStackTop = top;
        }

        public static void InitBootCpu() => Init(Boot, 0, LocalApic.Id);

        // A new PerCpu for the next CPU (zeroed, from the kernel heap); null when
        // the table is full or memory ran out. Registered only by Commit, once the
        // CPU is running.
        public static PerCpu* Prepare(uint apicId)
        {
            if (_count == Max) return null;
            var c = (PerCpu*)Sticky.Mm.KernelHeap.Allocate((ulong)sizeof(PerCpu));
            if (c == null) return null;
            c->CpuId = _count;
            c->ApicId = apicId;
            return c;
        }

        public static void Commit(PerCpu* c)
        {
            fixed (ulong* t = _table.Cpu) t[c->CpuId] = (ulong)c;
            _count = c->CpuId + 1;
        }

        // On the CPU `c` describes: GDT with its TSS, IST stacks for faults that
        // must not trust RSP, the shared IDT, GS, the syscall MSRs.
        public static void Init(PerCpu* c, int id, uint apicId)
        {
            c->Self = (ulong)c;
            c->CpuId = id;
            c->ApicId = apicId;
            c->Tss.Ist1 = (ulong)c->DoubleFaultStack + PerCpu.IstStackSize;
            c->Tss.Ist2 = (ulong)c->NmiStack + PerCpu.IstStackSize;
            c->Tss.Ist3 = (ulong)c->MachineCheckStack + PerCpu.IstStackSize;
            c->Tss.IoMapBase = (ushort)sizeof(TaskState);   // no I/O bitmap
            Sticky.Arch.Gdt.Load(&c->Gdt, &c->Tss);
            Cpu.WriteMsr(Cpu.MsrGsBase, (ulong)c);
            Cpu.WriteMsr(Cpu.MsrKernelGsBase, 0);
            if (id == 0) Idt.Init(); else Idt.Load();
            UserMode.InitCpu();
            Fpu.InitCpu();
            if (id == 0) Commit(c);
        }
    }
}
