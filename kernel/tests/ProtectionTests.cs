using System.Runtime.CompilerServices;
using Sticky.Arch;
using Sticky.Mm;

namespace Sticky.Tests
{
    // SMEP, SMAP and UMIP: on when the CPU has them (QEMU -cpu max does), user
    // copies still work, and a kernel access outside them panics with a
    // report that names the protection.
    public static unsafe class ProtectionTests
    {
        private const ulong UserPage = 0x400000;

        public static void Register()
        {
            SelfTest.Add("cpu_protections_on", &ProtectionsOn);
            SelfTest.AddPanic("fault_smap_kernel_touches_user_page",
                "SMAP: the kernel touched a user page outside a user copy|protection-violation read kernel-mode|CR2=0x0000000000400000|RIP is Sticky.Tests.ProtectionTests::ReadUserPage",
                &TouchUserPage);
            SelfTest.AddPanic("fault_smep_kernel_runs_user_page",
                "SMEP: the kernel jumped to code in a user page|instruction-fetch|CR2=0x0000000000400000",
                &RunUserPage);
        }

        private static string ProtectionsOn()
        {
            uint* r = stackalloc uint[4];
            Cpu.CpuId(7, 0, r);
            ulong cr4 = Cpu.ReadCr4();
            if ((r[1] & (1u << 7)) != 0 && (!CpuProtections.Smep || (cr4 & CpuProtections.Cr4Smep) == 0)) return "the CPU has SMEP but it is off";
            if ((r[1] & (1u << 20)) != 0 && (!CpuProtections.Smap || (cr4 & CpuProtections.Cr4Smap) == 0)) return "the CPU has SMAP but it is off";
            if ((r[2] & (1u << 2)) != 0 && (!CpuProtections.Umip || (cr4 & CpuProtections.Cr4Umip) == 0)) return "the CPU has UMIP but it is off";
            if (!CpuProtections.Smep || !CpuProtections.Smap || !CpuProtections.Umip)
                return "this CPU lacks SMEP, SMAP or UMIP: the suite runs on QEMU -cpu max, which has all three";

            // The user-copy routines still reach a user page (they open the window).
            var space = NewSpace(Protection.ReadWrite);
            if (space == null) return "could not create an address space";
            string result = null;
            if (!SafeAccess.TryWrite(UserPage + 8, 0x5AFE)) result = "a user copy into a user page failed under SMAP";
            else if (!SafeAccess.TryRead(UserPage + 8, out ulong v) || v != 0x5AFE) result = "a user copy from a user page failed under SMAP";
            else if ((Cpu.ReadFlags() & (1UL << 18)) != 0) result = "RFLAGS.AC is still set after a user copy";
            SpaceState.Destroy(space);
            return result;
        }

        private static AddressSpace<DirectMap, CpuTlb> NewSpace(Protection protection)
        {
            var space = SpaceState.NewSpace();
            if (space == null) return null;
            if (space.AddRegion(new VirtualAddress(UserPage), Paging.PageSize, protection) != RegionResult.Ok ||
                space.ResolvePage(new VirtualAddress(UserPage), true, out _) != FaultVerdict.Handled)
            {
                SpaceState.Destroy(space);
                return null;
            }
            LoadedSpaces.Load(space);
            return space;
        }

        private static string TouchUserPage()
        {
            if (NewSpace(Protection.ReadWrite) == null) return "could not create an address space";
            return ReadUserPage() == 0 ? "SMAP let the kernel read a user page" : "SMAP let the kernel read a user page";
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static ulong ReadUserPage() => *(ulong*)UserPage;

        private static string RunUserPage()
        {
            var space = NewSpace(Protection.ReadWrite | Protection.Execute);
            if (space == null) return "could not create an address space";
            space.ResolvePage(new VirtualAddress(UserPage), true, out FrameNumber frame);
            *DirectMap.Pointer(frame) = 0xC3;   // ret
            ((delegate*<void>)UserPage)();
            return "SMEP let the kernel run code in a user page";
        }
    }
}
