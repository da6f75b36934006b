namespace Sticky.Arch
{
    // A user thread's x87 state and MXCSR, put aside while it is switched out
    // (its XMM registers are saved on every kernel entry instead: UserMode).
    //
    // With XSAVEOPT the switch saves only the x87 component, and nothing at
    // all when the thread never touched x87 since it was last restored (the
    // CPU's init and modified optimizations); XRSTOR then reinitialises it.
    // MXCSR is stored by hand at its fxsave offset. Without XSAVEOPT, fxsave
    // and fxrstor, which also copy the 16 XMM registers (256 bytes for
    // nothing). Either way the area is an fxsave image (FCW at 0, MXCSR at
    // 24) with XSAVE's 64-byte header after it, all zero when it is new.
    public static unsafe class Fpu
    {
        public const int StateSize = 512 + 64;   // legacy region + XSAVE header (the heap's 768-byte class, 64-byte aligned)
        public const int MxcsrOffset = 24;
        private const uint Cr4OsXsave = 1u << 18;
        private const ulong XcrX87Sse = 3;       // XCR0: x87 and SSE state managed by XSAVE

        private static bool _xsave;

        // Once per CPU, after SSE is on.
        public static void InitCpu()
        {
            uint* r = stackalloc uint[4];
            Cpu.CpuId(1, 0, r);
            bool hasXsave = (r[2] & (1u << 26)) != 0;
            Cpu.CpuId(0xD, 1, r);
            if (!hasXsave || (r[0] & 1) == 0) return;   // no XSAVEOPT: fxsave
            Cpu.WriteCr4(Cpu.ReadCr4() | Cr4OsXsave);
            Cpu.WriteXcr0(XcrX87Sse);
            _xsave = true;
        }

        public static string Method => _xsave ? "xsaveopt (x87) + stmxcsr" : "fxsave";

        public static void Save(byte* area)
        {
            if (_xsave) Cpu.XsaveX87(area); else Cpu.FxSave(area);
        }

        public static void Restore(byte* area)
        {
            if (_xsave) Cpu.XrstorX87(area); else Cpu.FxRestore(area);
        }

        // The state after FNINIT with all exceptions masked (what Linux gives a
        // new program): in XSAVE terms the x87 component's init state, so an
        // all-zero header; FCW and MXCSR are written for the fxsave path.
        public static void InitState(byte* area)
        {
            for (int i = 0; i < StateSize; i++) area[i] = 0;
            *(ushort*)area = 0x037F;                  // FCW
            *(uint*)(area + MxcsrOffset) = 0x1F80;    // MXCSR
        }
    }
}
