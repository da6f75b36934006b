using System.Runtime;
using System.Runtime.CompilerServices;
using Sticky.Debug;
using Sticky.Mm;
using Sticky.Platform;
using Sticky.Time;

namespace Sticky.Arch
{
    // Bringing up the application processors. The ACPI MADT lists the CPUs
    // (QEMU's microvm has ACPI on by default; PVH hands over the RSDP's
    // address). Each is started in turn with INIT-SIPI-SIPI through the real-mode
    // trampoline in asm/ap_start.asm, copied to a page below 1 MiB, and runs
    // ApMain on a kernel stack of its own; the boot CPU waits until it says it
    // is up before starting the next.
    public static unsafe class Smp
    {
        public const ulong TrampolinePhysical = 0x8000;   // asm/ap_start.asm AP_TRAMPOLINE_PHYS; frame table: reserved
        private const int SlotBootCr3 = 8, SlotStack = 16, SlotPerCpu = 24;   // the trampoline's parameter slots
        private const ulong StartTimeoutNs = 1_000_000_000;                  // TCG on a loaded host is slow

        [RuntimeImport("*", "ap_trampoline_bounds")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern byte* TrampolineBounds(byte** end);

        // Set by the boot CPU for every AP: what its control registers must hold.
        private static ulong _cr0, _cr4;
        private static volatile int _started;   // the AP being started writes 1 once it runs on its own GDT, IDT and GS

        // Set by the process layer: what an application processor does once it
        // is up (the scheduler's idle loop); it never returns. Null: park.
        public static delegate*<void> ApplicationProcessorMain;
        // Set by the process layer: the kernel stack an AP starts on (the top),
        // kept by its idle thread; 0 when out of memory. Null: a stack of its own.
        public static delegate*<int, ulong> StackForCpu;

        // Starts every enabled CPU the MADT lists; returns how many CPUs run.
        public static int StartApplicationProcessors(BootInfo* boot, int limit)
        {
            if (!Acpi.FindMadt(boot->RsdpAddress, DirectMap.Base, out MadtInfo madt))
            {
                Console.WriteLine("cpus: 1 (no ACPI MADT: the other processors, if any, stay off)");
                return 1;
            }
            if (!PrepareTrampoline(out PageTable<DirectMap, CpuTlb> tables)) Panic.Halt("no memory for the AP boot tables");
            _cr0 = Cpu.ReadCr0();
            _cr4 = Cpu.ReadCr4();
            uint self = Cpus.Boot->ApicId;
            for (int i = 0; i < madt.CpuCount && Cpus.Count < limit; i++)
                if (madt.ApicId(i) != self) StartOne(madt.ApicId(i), tables.Root);
            ReleaseTrampoline(ref tables);
            PrintCpus(madt);
            return Cpus.Count;
        }

        // The boot tables: the kernel half, plus the trampoline page at its own address.
        private static bool PrepareTrampoline(out PageTable<DirectMap, CpuTlb> tables)
        {
            if (!PageTable<DirectMap, CpuTlb>.TryCreate(default, default, KernelMemory.Frames, KernelMemory.KernelTemplate, out tables))
                return false;
            // The real-mode code loads CR3 with a 32-bit register.
            if (tables.Root.Address.Value >= 1UL << 32) Panic.Halt("AP boot tables above 4 GiB");
            if (tables.Map(new VirtualAddress(TrampolinePhysical), new PhysicalAddress(TrampolinePhysical).Frame, PageFlags.Writable) != MapResult.Mapped)
                return false;
            byte* end;
            byte* start = TrampolineBounds(&end);
            byte* to = DirectMap.Pointer(new PhysicalAddress(TrampolinePhysical).Frame);
            for (long i = 0; i < end - start; i++) to[i] = start[i];
            return true;
        }

        private static void ReleaseTrampoline(ref PageTable<DirectMap, CpuTlb> tables)
        {
            tables.Unmap(new VirtualAddress(TrampolinePhysical), out _);   // a reserved frame: not the table's to release
            tables.Destroy();
        }

        private static void StartOne(uint apicId, FrameNumber bootTables)
        {
            PerCpu* c = Cpus.Prepare(apicId);
            ulong stack = c == null ? 0 : StackForCpu != null ? StackForCpu(c->CpuId) : KernelStackAllocator.Allocate();
            if (stack == 0)
            {
                Console.Write("cpus: no memory to start the processor with local APIC id ");
                Console.Dec(apicId);
                Console.WriteLine();
                if (c != null) KernelHeap.Free(c);
                return;
            }
            byte* slots = DirectMap.Pointer(new PhysicalAddress(TrampolinePhysical).Frame);
            *(ulong*)(slots + SlotBootCr3) = bootTables.Address.Value;
            *(ulong*)(slots + SlotStack) = stack;
            *(ulong*)(slots + SlotPerCpu) = (ulong)c;
            _started = 0;

            // Intel's MP start-up sequence: INIT, 10 ms, SIPI, 200 us, SIPI if still needed.
            LocalApic.SendInit(apicId);
            Delay(10_000_000);
            uint page = (uint)(TrampolinePhysical >> Paging.PageShift);
            LocalApic.SendStartup(apicId, page);
            Delay(200_000);
            if (_started == 0) LocalApic.SendStartup(apicId, page);
            ulong deadline = Clock.NowNanoseconds + StartTimeoutNs;
            while (_started == 0 && Clock.NowNanoseconds < deadline) Cpu.Pause();
            if (_started != 0) return;
            // It may still wake later and run on the freed stack: stop it for good.
            LocalApic.SendInit(apicId);
            Console.Write("cpus: the processor with local APIC id ");
            Console.Dec(apicId);
            Console.WriteLine(" did not start; going on without it");
        }

        // The first C# an application processor runs (asm/ap_start.asm ap_entry),
        // on the AP boot tables and the stack StackForCpu gave it.
        [RuntimeExport("ap_main")]
        private static void ApMain(PerCpu* c)
        {
            Cpu.WriteCr3(KernelMemory.KernelTemplate.Address.Value);
            Cpu.WriteCr0(_cr0);
            Cpu.WriteCr4(_cr4);                 // SSE, global pages, and whatever else the boot CPU enabled
            Cpus.Init(c, c->CpuId, c->ApicId);
            LocalApic.InitApplicationProcessor();
            Cpus.Commit(c);
            _started = 1;
            if (ApplicationProcessorMain != null) ApplicationProcessorMain();
            while (true) { Cpu.DisableInterrupts(); Cpu.Halt(); }   // parked: only an NMI (panic) reaches it
        }

        private static void PrintCpus(in MadtInfo madt)
        {
            Console.Write("cpus: ");
            Console.Dec(Cpus.Count);
            Console.Write(" up (local APIC ids");
            for (int i = 0; i < Cpus.Count; i++) { Console.Write(" "); Console.Dec(Cpus.Get(i)->ApicId); }
            Console.Write(")");
            if (madt.CpuCount > Cpus.Count) { Console.Write(", "); Console.Dec(madt.CpuCount - Cpus.Count); Console.Write(" not started"); }
            Console.WriteLine();
        }

        private static void Delay(ulong nanoseconds)
        {
            ulong end = Clock.NowNanoseconds + nanoseconds;
            while (Clock.NowNanoseconds < end) Cpu.Pause();
        }
    }
}
