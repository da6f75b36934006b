using System.Runtime.InteropServices;

namespace Sticky.Arch
{
    // Segments for long mode. The order of the user selectors is fixed by
    // SYSRET: user SS = STAR[63:48] + 8, user CS = STAR[63:48] + 16.
    public static unsafe class Gdt
    {
        public const ushort KernelCode = 0x08;
        public const ushort KernelData = 0x10;
        public const ushort UserData = 0x18 | 3;
        public const ushort UserCode = 0x20 | 3;
        public const ushort Tss = 0x28;
        public const ushort SysretBase = 0x10;   // STAR[63:48]

        private const int Entries = 7;           // null, 4 segments, TSS (two slots)

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        private struct Pointer { public ushort Limit; public ulong Base; }

        public struct Table { public fixed ulong Entries[Gdt.Entries]; }

        // Fills one CPU's table (each CPU has its own, for its own TSS) and loads it.
        public static void Load(Table* table, TaskState* tss)
        {
            ulong* e = table->Entries;
            e[0] = 0;
            e[1] = 0x00AF9A000000FFFF;   // kernel code: present, DPL0, executable, long mode
            e[2] = 0x00CF92000000FFFF;   // kernel data
            e[3] = 0x00CFF2000000FFFF;   // user data, DPL3
            e[4] = 0x00AFFA000000FFFF;   // user code, DPL3, long mode
            ulong b = (ulong)tss, limit = (ulong)sizeof(TaskState) - 1;
            e[5] = (limit & 0xFFFF) | ((b & 0xFFFFFF) << 16) | (0x89UL << 40) | ((limit >> 16) & 0xF) << 48 | ((b >> 24) & 0xFF) << 56;
            e[6] = b >> 32;

            Pointer p;
            p.Limit = Entries * 8 - 1;
            p.Base = (ulong)e;
            Cpu.LoadGdt(&p, KernelCode, KernelData);
            Cpu.LoadTaskRegister(Tss);
        }
    }

    // The 64-bit task-state segment: only stack pointers matter in long mode.
    [StructLayout(LayoutKind.Explicit, Size = 104)]
    public struct TaskState
    {
        [FieldOffset(4)] public ulong Rsp0;      // kernel stack on entry from ring 3
        [FieldOffset(36)] public ulong Ist1;     // double fault
        [FieldOffset(44)] public ulong Ist2;     // NMI
        [FieldOffset(52)] public ulong Ist3;     // machine check
        [FieldOffset(102)] public ushort IoMapBase;
    }
}
