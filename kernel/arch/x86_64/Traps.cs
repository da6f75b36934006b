using System.Runtime;
using Sticky.Debug;

namespace Sticky.Arch
{
    // The C# side of every interrupt and exception (entered from asm/traps.asm).
    public static unsafe class Traps
    {
        public const int IrqBase = 32;        // PIC IRQ 0..15 are remapped to 32..47
        public const int SpuriousVector = 255;

        [RuntimeExport("trap_dispatch")]
        private static void Dispatch(TrapFrame* frame)
        {
            ulong v = frame->Vector;
            // Another CPU panicked and stops everyone (Panic): this CPU stays where it is.
            if (v == Exceptions.Nmi && Panic.Stopping) Panic.StopThisCpu();
            if (v < 32)
                Exceptions.Handle(frame);
            else if (v < IrqBase + 16)
                Interrupts.HandleIrq((int)(v - IrqBase), frame);
            else if (v < Interrupts.LocalBase + Interrupts.LocalCount)
                Interrupts.HandleLocal((int)v, frame);
            else if (v != SpuriousVector)
                Panic.Trap("unexpected interrupt vector", frame);
            if (frame->FromUser && ReturnToUserHook != null) ReturnToUserHook(frame);
        }

        // Set by the process layer: runs before every return to ring 3 from an
        // interrupt or exception (a thread whose process is being killed exits there).
        public static delegate*<TrapFrame*, void> ReturnToUserHook;
    }

    // CPU exceptions. A kernel-mode exception is a kernel bug: panic with the
    // full report. User-mode exceptions go to the process layer (hook below).
    public static unsafe class Exceptions
    {
        public const int DivideError = 0, Debug = 1, Nmi = 2, Breakpoint = 3, Overflow = 4, BoundRange = 5,
            InvalidOpcode = 6, DeviceNotAvailable = 7, DoubleFault = 8, InvalidTss = 10, SegmentNotPresent = 11,
            StackFault = 12, GeneralProtection = 13, PageFault = 14, X87 = 16, AlignmentCheck = 17,
            MachineCheck = 18, Simd = 19, Virtualization = 20, ControlProtection = 21;

        // Set by the memory manager: returns true if it resolved the fault (demand paging, COW, EFAULT fixups).
        public static delegate*<TrapFrame*, bool> FaultHook;
        // Set by the process layer: a fault from ring 3 that nobody resolved
        // becomes a signal. The hook returns if a handler will run (delivered
        // on the way back to ring 3); otherwise the process dies in it.
        public static delegate*<TrapFrame*, void> UserFaultHook;

        public static void Handle(TrapFrame* frame)
        {
            if (FaultHook != null && FaultHook(frame)) return;
            if (frame->FromUser && UserFaultHook != null) { UserFaultHook(frame); return; }
            Panic.Trap(Name((int)frame->Vector), frame);
        }

        public static string Name(int vector)
        {
            switch (vector)
            {
                case DivideError: return "Divide error (#DE)";
                case Debug: return "Debug (#DB)";
                case Nmi: return "Non-maskable interrupt (NMI)";
                case Breakpoint: return "Breakpoint (#BP)";
                case Overflow: return "Overflow (#OF)";
                case BoundRange: return "BOUND range exceeded (#BR)";
                case InvalidOpcode: return "Invalid opcode (#UD)";
                case DeviceNotAvailable: return "Device not available (#NM)";
                case DoubleFault: return "Double fault (#DF)";
                case 9: return "Coprocessor segment overrun";
                case InvalidTss: return "Invalid TSS (#TS)";
                case SegmentNotPresent: return "Segment not present (#NP)";
                case StackFault: return "Stack-segment fault (#SS)";
                case GeneralProtection: return "General protection fault (#GP)";
                case PageFault: return "Page fault (#PF)";
                case X87: return "x87 floating-point error (#MF)";
                case AlignmentCheck: return "Alignment check (#AC)";
                case MachineCheck: return "Machine check (#MC)";
                case Simd: return "SIMD floating-point exception (#XM)";
                case Virtualization: return "Virtualization exception (#VE)";
                case ControlProtection: return "Control protection exception (#CP)";
                case 28: return "Hypervisor injection exception (#HV)";
                case 29: return "VMM communication exception (#VC)";
                case 30: return "Security exception (#SX)";
                default: return "Reserved exception";
            }
        }

        // "present write user instruction-fetch" from the page-fault error code.
        public static void WritePageFaultBits(ulong error)
        {
            Console.Write((error & 1) != 0 ? "protection-violation" : "not-present");
            Console.Write((error & 2) != 0 ? " write" : " read");
            Console.Write((error & 4) != 0 ? " user-mode" : " kernel-mode");
            if ((error & 8) != 0) Console.Write(" reserved-bit");
            if ((error & 16) != 0) Console.Write(" instruction-fetch");
            if ((error & 32) != 0) Console.Write(" protection-key");
        }
    }
}
