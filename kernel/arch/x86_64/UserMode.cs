using System.Runtime;
using System.Runtime.CompilerServices;

namespace Sticky.Arch
{
    // Ring 3: the syscall MSRs, the saved SSE state, and the way into user mode
    // (asm/syscall.asm). A user thread's kernel stack top holds its TrapFrame,
    // with the 512-byte fxsave image right below it: that is where every entry
    // from ring 3 saves the user's registers, so both are found from StackTop.
    public static unsafe class UserMode
    {
        public const ulong SyscallVector = 0x100;      // TrapFrame.Vector of a syscall (asm SYSCALL_VECTOR)
        public const ulong InitialFlags = 0x202;       // IF set, reserved bit 1
        public const int FpuAreaSize = 512;            // fxsave64 image (asm FPU_AREA)
        public const int FrameReserve = TrapFrame.Size + FpuAreaSize;

        private const ulong EferSyscallEnable = 1;
        private const uint MsrStar = 0xC0000081, MsrLstar = 0xC0000082, MsrFmask = 0xC0000084;
        // Flags cleared on syscall entry: TF, IF, DF, NT, AC.
        private const ulong SyscallMaskedFlags = 0x100 | 0x200 | 0x400 | 0x4000 | 0x40000;

        [RuntimeImport("*", "syscall_entry")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void SyscallEntry();
        [RuntimeImport("*", "user_enter")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void EnterAsm(ulong fpuArea);

        public static void InitCpu()
        {
            Cpu.WriteMsr(Cpu.MsrEfer, Cpu.ReadMsr(Cpu.MsrEfer) | EferSyscallEnable);
            // sysret would load CS = base + 16, SS = base + 8 (we return with iretq, but keep it right).
            Cpu.WriteMsr(MsrStar, ((ulong)(Gdt.SysretBase | 3) << 48) | ((ulong)Gdt.KernelCode << 32));
            Cpu.WriteMsr(MsrLstar, (ulong)(delegate*<void>)&SyscallEntry);
            Cpu.WriteMsr(MsrFmask, SyscallMaskedFlags);
        }

        public static TrapFrame* FrameOf(ulong kernelStackTop) => (TrapFrame*)(kernelStackTop - TrapFrame.Size);
        public static byte* FpuAreaOf(ulong kernelStackTop) => (byte*)(kernelStackTop - FrameReserve);

        // A frame that starts ring-3 execution at `rip` with stack `rsp`, all else zero.
        public static void InitFrame(TrapFrame* f, ulong rip, ulong rsp)
        {
            byte* p = (byte*)f;
            for (int i = 0; i < TrapFrame.Size; i++) p[i] = 0;
            f->Rip = rip;
            f->Rsp = rsp;
            f->Cs = Gdt.UserCode;
            f->Ss = Gdt.UserData;
            f->Rflags = InitialFlags;
        }

        // The x87/SSE state after FNINIT with all exceptions masked (the state
        // Linux gives a new program).
        public static void InitFpuArea(byte* area)
        {
            for (int i = 0; i < FpuAreaSize; i++) area[i] = 0;
            *(ushort*)area = 0x037F;            // FCW
            *(uint*)(area + 24) = 0x1F80;       // MXCSR
        }

        // Runs the frame prepared on the current thread's kernel stack; never returns.
        public static void Enter(ulong kernelStackTop) => EnterAsm((ulong)FpuAreaOf(kernelStackTop));
    }
}
