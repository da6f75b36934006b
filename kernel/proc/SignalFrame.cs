using Sticky.Arch;
using Sticky.Signal;
using Sticky.Sys;

namespace Sticky.Proc
{
    // The signal frame on the user stack, in Linux's x86-64 rt_sigframe
    // layout, so that libcs and debuggers read it as they would on Linux:
    //
    //   frame+0    pretcode: sa_restorer, the handler's return address
    //   frame+8    struct ucontext: uc_flags, uc_link, uc_stack (24 bytes),
    //              uc_mcontext (struct sigcontext, 256 bytes), uc_sigmask (8)
    //   frame+312  siginfo_t (128 bytes)
    //   fpstate    the fxsave image (512 bytes, 64-byte aligned) above the frame;
    //              uc_mcontext.fpstate points at it
    //
    // The handler starts with rsp = frame (so rsp+8 is 16-byte aligned, as
    // after a call), rdi = signal, rsi = &info, rdx = &uc, and a clean FPU.
    // rt_sigreturn reads it back from rsp-8 (the restorer's `ret` popped pretcode).
    public static unsafe class SignalFrame
    {
        public const int Size = 440;
        private const int UcOffset = 8, StackOffset = 24, ContextOffset = 48, MaskOffset = 304, InfoOffset = 312;
        private const int FpStateSize = 512, RedZone = 128;
        private const ulong UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
        public const int SS_ONSTACK = 1, SS_DISABLE = 2;
        public const int SS_AUTODISARM = unchecked((int)0x80000000);
        public const ulong MinStackSize = 2048;          // MINSIGSTKSZ

        // RFLAGS bits sigreturn takes from the frame (Linux's FIX_EFLAGS):
        // AC OF DF TF SF ZF AF PF CF RF. IF and the rest stay the kernel's.
        private const ulong FixFlags = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;
        private const ulong HandlerClearsFlags = 0x400 | 0x10000 | 0x100;   // DF RF TF

        // sigcontext word offsets (in ulongs from ContextOffset).
        private const int R8 = 0, R9 = 1, R10 = 2, R11 = 3, R12 = 4, R13 = 5, R14 = 6, R15 = 7, Rdi = 8, Rsi = 9,
            Rbp = 10, Rbx = 11, Rdx = 12, Rax = 13, Rcx = 14, Rsp = 15, Rip = 16, Eflags = 17, Segments = 18,
            Err = 19, Trapno = 20, Oldmask = 21, Cr2 = 22, FpState = 23;

        // ---- the alternate stack --------------------------------------------

        // Linux's on_sig_stack: is `sp` on t's alternate stack (never, with SS_AUTODISARM)?
        public static bool OnAltStack(Thread t, ulong sp) =>
            (t.AltStackFlags & SS_AUTODISARM) == 0 && sp > t.AltStackBase && sp - t.AltStackBase <= t.AltStackSize;

        // Linux's sas_ss_flags: SS_DISABLE, SS_ONSTACK, or 0 (usable).
        public static int AltStackState(Thread t, ulong sp) =>
            t.AltStackSize == 0 ? SS_DISABLE : OnAltStack(t, sp) ? SS_ONSTACK : 0;

        // ---- delivery --------------------------------------------------------

        // Writes the frame for `sig` and points the user registers at the
        // handler. False if the frame could not be written (a bad stack, an
        // overflowing alternate stack): the caller forces SIGSEGV.
        public static bool Push(Thread t, TrapFrame* f, int sig, in SigInfo info, in SignalAction a, ulong savedMask)
        {
            ulong sp = f->Rsp - RedZone;
            bool onAlt = OnAltStack(t, f->Rsp), entering = false;
            if (a.Has(SignalAction.SA_ONSTACK) && AltStackState(t, sp) == 0)
            {
                sp = t.AltStackBase + t.AltStackSize;
                entering = true;
            }
            ulong fpstate = (sp - FpStateSize) & ~63UL;
            ulong frame = ((fpstate - Size) & ~15UL) - 8;
            if ((onAlt || entering) && !(frame > t.AltStackBase && frame - t.AltStackBase <= t.AltStackSize)) return false;

            byte* image = stackalloc byte[Size];
            for (int i = 0; i < Size; i++) image[i] = 0;
            *(ulong*)image = a.Restorer;
            *(ulong*)(image + UcOffset) = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
            *(ulong*)(image + StackOffset) = t.AltStackBase;
            *(int*)(image + StackOffset + 8) = t.AltStackFlags;   // as Linux's __save_altstack: the flags as set
            *(ulong*)(image + StackOffset + 16) = t.AltStackSize;
            ulong* c = (ulong*)(image + ContextOffset);
            c[R8] = f->R8; c[R9] = f->R9; c[R10] = f->R10; c[R11] = f->R11; c[R12] = f->R12; c[R13] = f->R13;
            c[R14] = f->R14; c[R15] = f->R15; c[Rdi] = f->Rdi; c[Rsi] = f->Rsi; c[Rbp] = f->Rbp; c[Rbx] = f->Rbx;
            c[Rdx] = f->Rdx; c[Rax] = f->Rax; c[Rcx] = f->Rcx; c[Rsp] = f->Rsp; c[Rip] = f->Rip; c[Eflags] = f->Rflags;
            c[Segments] = (f->Cs & 0xFFFF) | ((f->Ss & 0xFFFF) << 48);   // cs, gs, fs, ss as u16s
            bool fault = SigSet.Has(SigSet.Synchronous, sig) && info.Code > 0;
            c[Err] = fault ? t.FaultError : 0;
            c[Trapno] = fault ? t.FaultTrap : 0;
            c[Oldmask] = savedMask;
            c[Cr2] = fault ? t.FaultAddress : 0;
            c[FpState] = fpstate;
            *(ulong*)(image + MaskOffset) = savedMask;
            fixed (SigInfo* i = &info) Copy(image + InfoOffset, (byte*)i, sizeof(SigInfo));

            byte* fx = stackalloc byte[FpStateSize + 16];
            fx = (byte*)(((ulong)fx + 15) & ~15UL);
            SaveUserFpu(t, fx);
            if (!UserMemory.CopyOut(frame, image, Size) || !UserMemory.CopyOut(fpstate, fx, FpStateSize)) return false;

            if (entering && (t.AltStackFlags & SS_AUTODISARM) != 0) { t.AltStackBase = 0; t.AltStackSize = 0; t.AltStackFlags = SS_DISABLE; }
            f->Rdi = (ulong)sig;
            f->Rsi = frame + InfoOffset;
            f->Rdx = frame + UcOffset;
            f->Rax = 0;
            f->Rsp = frame;
            f->Rip = a.Handler;
            f->Rflags &= ~HandlerClearsFlags;
            f->Cs = Gdt.UserCode;
            f->Ss = Gdt.UserData;
            ResetUserFpu(t);
            t.ReturnViaIret = true;
            return true;
        }

        // ---- rt_sigreturn ----------------------------------------------------

        // Restores what Push saved. False if the frame is unreadable or
        // invalid (the caller forces SIGSEGV). `rax` is the interrupted
        // context's rax, which the syscall returns.
        public static bool Restore(Thread t, TrapFrame* f, out ulong rax)
        {
            rax = 0;
            ulong frame = f->Rsp - 8;
            byte* image = stackalloc byte[Size];
            if (!UserMemory.CopyIn(image, frame, Size)) return false;
            ulong* c = (ulong*)(image + ContextOffset);

            byte* fx = stackalloc byte[FpStateSize + 16];
            fx = (byte*)(((ulong)fx + 15) & ~15UL);
            ulong fpstate = c[FpState];
            if (fpstate != 0)
            {
                if ((fpstate & 15) != 0 || !UserMemory.CopyIn(fx, fpstate, FpStateSize)) return false;
                if (!MxcsrIsValid(*(uint*)(fx + 24))) return false;   // fxrstor would #GP in the kernel
            }

            f->R8 = c[R8]; f->R9 = c[R9]; f->R10 = c[R10]; f->R11 = c[R11]; f->R12 = c[R12]; f->R13 = c[R13];
            f->R14 = c[R14]; f->R15 = c[R15]; f->Rdi = c[Rdi]; f->Rsi = c[Rsi]; f->Rbp = c[Rbp]; f->Rbx = c[Rbx];
            f->Rdx = c[Rdx]; f->Rcx = c[Rcx]; f->Rsp = c[Rsp]; f->Rip = c[Rip];
            f->Rflags = (f->Rflags & ~FixFlags) | (c[Eflags] & FixFlags);
            f->Cs = Gdt.UserCode;
            f->Ss = Gdt.UserData;
            f->ErrorCode = ulong.MaxValue;   // no longer a syscall: no restart on this return (Linux: orig_ax = -1)
            rax = c[Rax];

            if (fpstate != 0) LoadUserFpu(t, fx); else ResetUserFpu(t);

            ulong flags = Scheduler.Lock();
            SignalSend.SetBlockedLocked(t, *(ulong*)(image + MaskOffset));
            Scheduler.Unlock(flags);

            // The alternate stack as the frame has it; only EFAULT would matter, as in Linux.
            ulong ssBase = *(ulong*)(image + StackOffset);
            int ssFlags = *(int*)(image + StackOffset + 8);
            ulong ssSize = *(ulong*)(image + StackOffset + 16);
            SetAltStack(t, f->Rsp, ssBase, ssFlags, ssSize);
            t.ReturnViaIret = true;
            return true;
        }

        // sigaltstack's rules (Linux do_sigaltstack): 0 or -errno. `sp` is the
        // thread's user stack pointer now.
        public static int SetAltStack(Thread t, ulong sp, ulong ssBase, int ssFlags, ulong ssSize)
        {
            if (OnAltStack(t, sp)) return -Errno.EPERM;
            int mode = ssFlags & ~SS_AUTODISARM;
            if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0) return -Errno.EINVAL;
            if (mode == SS_DISABLE) { ssBase = 0; ssSize = 0; }
            else if (ssSize < MinStackSize) return -Errno.ENOMEM;
            t.AltStackBase = ssBase;
            t.AltStackSize = ssSize;
            t.AltStackFlags = ssFlags;
            return 0;
        }

        // ---- FPU state -------------------------------------------------------

        // The user's FPU state as one fxsave image: x87 and MXCSR are in the
        // CPU while the thread runs (kernel code leaves them alone), the XMM
        // registers were saved on entry below the TrapFrame.
        private static void SaveUserFpu(Thread t, byte* fx)
        {
            Cpu.FxSave(fx);
            Copy(fx + 160, UserMode.SseAreaOf(t.StackTop), UserMode.SseAreaSize);
            for (int i = 464; i < FpStateSize; i++) fx[i] = 0;   // software-reserved: no xstate follows
        }

        private static void LoadUserFpu(Thread t, byte* fx)
        {
            Cpu.FxRestore(fx);
            Copy(UserMode.SseAreaOf(t.StackTop), fx + 160, UserMode.SseAreaSize);
        }

        // A handler starts with the FPU as after FNINIT and zeroed XMM registers (as Linux's fpu__clear_user_states).
        private static void ResetUserFpu(Thread t)
        {
            byte* fx = stackalloc byte[FpStateSize + 16];
            fx = (byte*)(((ulong)fx + 15) & ~15UL);
            UserMode.InitFpuState(fx);
            LoadUserFpu(t, fx);
        }

        private static bool MxcsrIsValid(uint mxcsr)
        {
            byte* fx = stackalloc byte[FpStateSize + 16];
            fx = (byte*)(((ulong)fx + 15) & ~15UL);
            Cpu.FxSave(fx);
            uint mask = *(uint*)(fx + 28);
            if (mask == 0) mask = 0xFFBF;   // the default MXCSR_MASK when the CPU reports none
            return (mxcsr & ~mask) == 0;
        }

        private static void Copy(byte* to, byte* from, int n)
        {
            for (int i = 0; i < n; i++) to[i] = from[i];
        }
    }
}
