using System.Runtime;
using System.Runtime.CompilerServices;

namespace Sticky.Arch
{
    // Every instruction the kernel needs that C# cannot express, in one place.
    // Implementations: asm/cpu.asm.
    public static unsafe class Cpu
    {
        [RuntimeImport("*", "cpu_outb")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Out8(ushort port, byte value);
        [RuntimeImport("*", "cpu_inb")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern byte In8(ushort port);
        [RuntimeImport("*", "cpu_outw")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Out16(ushort port, ushort value);
        [RuntimeImport("*", "cpu_outd")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Out32(ushort port, uint value);
        [RuntimeImport("*", "cpu_ind")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern uint In32(ushort port);
        [RuntimeImport("*", "cpu_cli")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void DisableInterrupts();
        [RuntimeImport("*", "cpu_sti")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void EnableInterrupts();
        [RuntimeImport("*", "cpu_hlt")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Halt();
        [RuntimeImport("*", "cpu_sti_hlt")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void EnableInterruptsAndHalt();
        [RuntimeImport("*", "cpu_pause")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void Pause();
        [RuntimeImport("*", "cpu_rflags")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadFlags();
        [RuntimeImport("*", "cpu_irq_save")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong SaveAndDisableInterrupts();
        [RuntimeImport("*", "cpu_irq_restore")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void RestoreInterrupts(ulong flags);
        [RuntimeImport("*", "cpu_read_cr0")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr0();
        [RuntimeImport("*", "cpu_write_cr0")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteCr0(ulong value);
        [RuntimeImport("*", "cpu_read_cr2")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr2();
        [RuntimeImport("*", "cpu_read_cr3")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr3();
        [RuntimeImport("*", "cpu_write_cr3")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteCr3(ulong value);
        [RuntimeImport("*", "cpu_read_cr4")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadCr4();
        [RuntimeImport("*", "cpu_write_cr4")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteCr4(ulong value);
        [RuntimeImport("*", "cpu_invlpg")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void InvalidatePage(ulong virtualAddress);
        [RuntimeImport("*", "cpu_rdmsr")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadMsr(uint msr);
        [RuntimeImport("*", "cpu_wrmsr")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteMsr(uint msr, ulong value);
        [RuntimeImport("*", "cpu_rdtsc")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadTimestamp();
        [RuntimeImport("*", "cpu_percpu_self")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadPerCpuSelf();
        [RuntimeImport("*", "cpu_read_rbp")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadFramePointer();
        [RuntimeImport("*", "cpu_read_rsp")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern ulong ReadStackPointer();
        [RuntimeImport("*", "cpu_lgdt")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadGdt(void* pointer, ushort codeSelector, ushort dataSelector);
        [RuntimeImport("*", "cpu_lidt")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadIdt(void* pointer);
        [RuntimeImport("*", "cpu_ltr")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void LoadTaskRegister(ushort selector);
        [RuntimeImport("*", "cpu_cpuid")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void CpuId(uint leaf, uint subleaf, uint* result);
        [RuntimeImport("*", "cpu_fxsave")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void FxSave(byte* area);
        [RuntimeImport("*", "cpu_fxrstor")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void FxRestore(byte* area);
        [RuntimeImport("*", "cpu_xsave_x87")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void XsaveX87(byte* area);
        [RuntimeImport("*", "cpu_xrstor_x87")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void XrstorX87(byte* area);
        [RuntimeImport("*", "cpu_write_xcr0")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void WriteXcr0(ulong value);

        public const ulong Cr4GlobalPages = 1UL << 7;   // PGE: Global translations outlive CR3 writes

        public const uint MsrEfer = 0xC0000080;
        public const uint MsrFsBase = 0xC0000100;
        public const uint MsrGsBase = 0xC0000101;
        public const uint MsrKernelGsBase = 0xC0000102;
    }
}
