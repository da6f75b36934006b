using System.Runtime;
using System.Runtime.CompilerServices;
using Sticky.Arch;
using Sticky.Proc;

namespace Sticky.Debug
{
    // Field order and offsets are a contract with asm/debug_block.asm and
    // tools/gdb/stickyos.py (layout version 2: one entry per CPU).
    public unsafe struct DebugBlockLayout
    {
        public const int NameCapacity = 16;
        public const uint FlagUser = 1;

        public fixed byte Magic[8];
        public uint Version, Size;
        public ulong Updates;
        public int Tid, Pid;
        public ulong Cr3;
        public ulong Thread;
        public uint NameLength, Flags;
        public fixed byte Name[NameCapacity];
    }

    // Who runs now on each CPU, in the image's kernel_debug_block, for gdb: a
    // debugger can find a symbol but not a C# static. The scheduler calls
    // Update on every switch (interrupts off), after loading the next thread's
    // address space; the entry is this CPU's.
    public static unsafe class DebugBlock
    {
        [RuntimeImport("*", "kernel_debug_block_address")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern DebugBlockLayout* Address();

        public static DebugBlockLayout* Block => Address();

        // A handful of stores: it is on the context-switch path.
        public static void Update(Thread next)
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();   // exec calls it with interrupts on
            DebugBlockLayout* b = Address() + Cpus.Current->CpuId;
            b->Tid = next.Id;
            b->Thread = (ulong)Sticky.Runtime.ObjectRef.AddressOf(next);
            Process p = next.Process;
            if (p != null)
            {
                b->Pid = p.Pid;
                b->Flags = DebugBlockLayout.FlagUser;
                b->Cr3 = p.Space != null ? p.Space.Root.Address.Value : Cpu.ReadCr3();
                int n = p.NameLength < DebugBlockLayout.NameCapacity ? p.NameLength : DebugBlockLayout.NameCapacity;
                byte[] name = p.Name;
                for (int i = 0; i < n; i++) b->Name[i] = name[i];
                b->NameLength = (uint)n;
            }
            else
            {
                // Kernel threads run on whatever address space is loaded.
                b->Pid = 0;
                b->Flags = 0;
                b->Cr3 = Cpu.ReadCr3();
                string name = next.Name;
                int n = (object)name == null ? 0 : name.Length < DebugBlockLayout.NameCapacity ? name.Length : DebugBlockLayout.NameCapacity;
                for (int i = 0; i < n; i++) b->Name[i] = (byte)name[i];
                b->NameLength = (uint)n;
            }
            b->Updates++;
            Cpu.RestoreInterrupts(flags);
        }
    }
}
