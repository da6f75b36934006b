using System.Runtime.InteropServices;

namespace Sticky.Arch
{
    // The stack image built by asm/traps.asm: general registers (pushed by the
    // stub, last pushed first), then vector and error code, then the CPU's frame.
    // Field order is a contract with traps.asm.
    [StructLayout(LayoutKind.Sequential)]
    public struct TrapFrame
    {
        public ulong R15, R14, R13, R12, R11, R10, R9, R8, Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
        public ulong Vector, ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss;

        public bool FromUser => (Cs & 3) == 3;
        public const int Size = 22 * 8;
    }
}
