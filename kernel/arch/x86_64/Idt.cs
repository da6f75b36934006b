using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sticky.Arch
{
    // The interrupt descriptor table: 256 interrupt gates pointing at the stubs
    // in asm/traps.asm. Gates clear IF on entry; handlers re-enable when they can.
    public static unsafe class Idt
    {
        public const int Vectors = 256;
        public const byte DoubleFaultIst = 1, NmiIst = 2, MachineCheckIst = 3;

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        private struct Pointer { public ushort Limit; public ulong Base; }

        // Each gate is 16 bytes: two ulongs.
        private struct Table { public fixed ulong Gates[Vectors * 2]; }

        private static Table _table;

        [RuntimeImport("*", "trap_stubs")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong* StubTable();

        public static void Init()
        {
            ulong* stubs = StubTable();
            for (int v = 0; v < Vectors; v++)
            {
                byte ist = v == 8 ? DoubleFaultIst : v == 2 ? NmiIst : v == 18 ? MachineCheckIst : (byte)0;
                // int3 and the syscall-compatible vector may be raised from ring 3.
                byte dpl = v == 3 ? (byte)3 : (byte)0;
                SetGate(v, stubs[v], ist, dpl);
            }
            Load();
        }

        public static void Load()
        {
            Pointer p;
            p.Limit = Vectors * 16 - 1;
            fixed (ulong* gates = _table.Gates) p.Base = (ulong)gates;
            Cpu.LoadIdt(&p);
        }

        private static void SetGate(int vector, ulong handler, byte ist, byte dpl)
        {
            const ulong InterruptGate = 0xE, Present = 1UL << 47;
            ulong low = (handler & 0xFFFF)
                | ((ulong)Gdt.KernelCode << 16)
                | ((ulong)ist << 32)
                | (InterruptGate << 40)
                | ((ulong)dpl << 45)
                | Present
                | ((handler >> 16) & 0xFFFF) << 48;
            fixed (ulong* gates = _table.Gates)
            {
                gates[vector * 2] = low;
                gates[vector * 2 + 1] = handler >> 32;
            }
        }
    }
}
