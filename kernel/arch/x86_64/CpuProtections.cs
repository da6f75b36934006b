using Sticky.Debug;

namespace Sticky.Arch
{
    // What the CPU can refuse the kernel, switched on when it has them
    // (QEMU's -cpu max does): SMEP (no kernel execution of user pages), SMAP
    // (no kernel access to user pages outside the user-copy routines, which
    // open the window with stac/clac: SafeAccess, asm/user_access.inc) and
    // UMIP (no SGDT, SIDT, SLDT, SMSW or STR in user mode: #GP, so SIGSEGV).
    // A kernel access SMAP or SMEP refuses panics with its own report
    // (KernelPageFaults). CR4 is per CPU: every CPU calls Enable.
    public static unsafe class CpuProtections
    {
        public const ulong Cr4Umip = 1UL << 11, Cr4Smep = 1UL << 20, Cr4Smap = 1UL << 21;
        private const uint LeafExtendedFeatures = 7;
        private const uint EbxSmep = 1u << 7, EbxSmap = 1u << 20, EcxUmip = 1u << 2;

        public static bool Smep, Smap, Umip;   // on (this CPU had them and they were switched on)

        // After the kernel's own page tables are loaded: the boot stub's map
        // its pages user-accessible, which SMEP and SMAP would refuse.
        public static void Enable()
        {
            uint* r = stackalloc uint[4];
            Cpu.CpuId(0, 0, r);
            if (r[0] < LeafExtendedFeatures) return;   // no leaf 7: none of them
            Cpu.CpuId(LeafExtendedFeatures, 0, r);
            Smep = (r[1] & EbxSmep) != 0;
            Smap = (r[1] & EbxSmap) != 0;
            Umip = (r[2] & EcxUmip) != 0;
            // The copy routines use stac/clac from now on; they are #UD without SMAP.
            if (Smap) SafeAccess.UseSmap();
            ulong cr4 = Cpu.ReadCr4();
            if (Smep) cr4 |= Cr4Smep;
            if (Smap) cr4 |= Cr4Smap;
            if (Umip) cr4 |= Cr4Umip;
            Cpu.WriteCr4(cr4);
        }

        // "cpu: SMEP on, SMAP on, UMIP on" (or "off: not supported").
        public static void Print()
        {
            Console.Write("cpu: SMEP ");
            Console.Write(Smep ? "on" : "off (not supported)");
            Console.Write(", SMAP ");
            Console.Write(Smap ? "on" : "off (not supported)");
            Console.Write(", UMIP ");
            Console.WriteLine(Umip ? "on" : "off (not supported)");
        }
    }
}
