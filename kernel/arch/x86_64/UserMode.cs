using System.Runtime;
using System.Runtime.CompilerServices;

namespace Sticky.Arch
{
    // Ring 3: the syscall MSRs, where user state is kept, and the way into
    // user mode (asm/syscall.asm). A user thread's kernel stack top holds its
    // TrapFrame, with its 16 XMM registers right below (SseAreaOf): every entry
    // from ring 3 saves them there, so both are found from StackTop. The rest
    // of the FPU state (x87, MXCSR), which kernel code never touches, stays in
    // the registers and is saved per thread only at a context switch
    // (Thread.FpuState, see Fpu).
    public static unsafe class UserMode
    {
        public const ulong SyscallVector = 0x100;      // TrapFrame.Vector of a syscall (asm SYSCALL_VECTOR)
        public const ulong InitialFlags = 0x202;       // IF set, reserved bit 1
        public const int SseAreaSize = 256;            // XMM0-15 (asm SSE_AREA)
        public const int FrameReserve = TrapFrame.Size + SseAreaSize;

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
            // sysret loads CS = base + 16, SS = base + 8, both with RPL 3.
            Cpu.WriteMsr(MsrStar, ((ulong)(Gdt.SysretBase | 3) << 48) | ((ulong)Gdt.KernelCode << 32));
            Cpu.WriteMsr(MsrLstar, (ulong)(delegate*<void>)&SyscallEntry);
            Cpu.WriteMsr(MsrFmask, SyscallMaskedFlags);
        }

        // The TLS pointer of the thread about to run in ring 3. A WRMSR is not
        // cheap, and switches often return to the thread whose value is loaded.
        public static void LoadFsBase(ulong value)
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();   // the MSR and its cached copy on one CPU
            PerCpu* c = Cpus.Current;
            if (c->LoadedFsBase != value)
            {
                Cpu.WriteMsr(Cpu.MsrFsBase, value);
                c->LoadedFsBase = value;
            }
            Cpu.RestoreInterrupts(flags);
        }

        public static TrapFrame* FrameOf(ulong kernelStackTop) => (TrapFrame*)(kernelStackTop - TrapFrame.Size);
        public static byte* SseAreaOf(ulong kernelStackTop) => (byte*)(kernelStackTop - FrameReserve);

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

        // An fxsave image (512 bytes) of the x87/SSE state after FNINIT with all
        // exceptions masked and zeroed registers (the state Linux gives a new
        // program and a signal handler): the signal frame's fpstate format.
        public const int FxsaveImageSize = 512;
        public static void InitFpuState(byte* state)
        {
            for (int i = 0; i < FxsaveImageSize; i++) state[i] = 0;
            *(ushort*)state = 0x037F;           // FCW
            *(uint*)(state + 24) = 0x1F80;      // MXCSR
        }

        // Loads `fpuState` into the CPU and runs the frame prepared on the
        // current thread's kernel stack; never returns.
        public static void Enter(ulong kernelStackTop, byte* fpuState)
        {
            Fpu.Restore(fpuState);
            EnterAsm((ulong)SseAreaOf(kernelStackTop));
        }
    }
}
