using System.Runtime.CompilerServices;
using Sticky.Arch;
using Sticky.Mm;

namespace Sticky.Tests
{
    // Paging on the real MMU: demand-zero faults, protections, unmapping, and
    // frame accounting (the harness also checks that no frame leaked).
    public static unsafe class MemoryTests
    {
        public static void Register()
        {
            SelfTest.Add("mm_frames_allocate_and_free", &FramesAllocateAndFree);
            SelfTest.Add("mm_demand_zero_protect_unmap", &DemandZeroProtectUnmap);
            SelfTest.Add("mm_address_space_destroy_returns_frames", &DestroyReturnsFrames);
            SelfTest.Add("mm_kernel_text_is_read_only", &KernelTextReadOnly);
            SelfTest.Add("mm_kernel_pages_are_global", &KernelPagesGlobal);
            SelfTest.AddPanic("panic_null_dereference",
                "Page fault (#PF)|not-present read kernel-mode|CR2=0x0000000000000010|Sticky.Tests.MemoryTests::ReadThroughNull",
                &NullDereference);
            SelfTest.AddPanic("fault_stack_overflow_guard_page",
                "kernel stack overflow: Double fault (#DF) on the guard page|CR2=ffffffff|Sticky.Tests.MemoryTests::Recurse|identical frames",
                &StackOverflow);
        }

        private static string FramesAllocateAndFree()
        {
            FrameTable frames = KernelMemory.Frames;
            ulong before = frames.FreeFrames;
            const int N = 2000;
            ulong* got = stackalloc ulong[N];
            for (int i = 0; i < N; i++)
            {
                if (!frames.TryAllocate(out FrameNumber f)) return "ran out of frames";
                got[i] = f.Value;
                // Stamped with the allocation's index, not the frame's number: a
                // frame handed out twice keeps only the later stamp.
                *(ulong*)DirectMap.Pointer(f) = (ulong)i;   // the direct map reaches every frame
            }
            if (frames.FreeFrames != before - N) return "free count did not drop by the number allocated";
            for (int i = 0; i < N; i++)
            {
                var f = new FrameNumber(got[i]);
                if (*(ulong*)DirectMap.Pointer(f) != (ulong)i) return "two allocations returned the same frame";
                frames.Free(f);
            }
            return frames.FreeFrames == before ? null : "free count did not return to the baseline";
        }

        private const ulong TestBase = 0x400000;

        private static AddressSpace<DirectMap, CpuTlb> NewSpace() => SpaceState.NewSpace();

        private static string DemandZeroProtectUnmap()
        {
            var space = NewSpace();
            if (space == null) return "could not create an address space";
            string result = DemandZeroProtectUnmapIn(space);
            SpaceState.Destroy(space);
            return result;
        }

        private static string DemandZeroProtectUnmapIn(AddressSpace<DirectMap, CpuTlb> space)
        {
            if (space.AddRegion(new VirtualAddress(TestBase), 16 * Paging.PageSize, Protection.ReadWrite) != RegionResult.Ok)
                return "AddRegion failed";
            LoadedSpaces.Load(space);
            ulong freeBefore = KernelMemory.Frames.FreeFrames;

            // First touch of each page faults and maps a zeroed frame (user
            // pages: inside the SMAP window, as a user copy would).
            string bad = null;
            SafeAccess.BeginUserAccess();
            for (ulong p = 0; p < 16 && bad == null; p++)
            {
                ulong* page = (ulong*)(TestBase + p * Paging.PageSize);
                if (page[0] != 0 || page[511] != 0) bad = "demand-zero page was not zero";
                page[7] = 0xC0FFEE00 + p;
            }
            for (ulong p = 0; p < 16 && bad == null; p++)
                if (((ulong*)(TestBase + p * Paging.PageSize))[7] != 0xC0FFEE00 + p) bad = "page lost its contents";
            SafeAccess.EndUserAccess();
            if (bad != null) return bad;
            if (KernelMemory.Frames.FreeFrames >= freeBefore) return "touching pages took no frames";

            // Read-only: a write must fault (and fail through the fixup), a read must not.
            if (space.ProtectRange(new VirtualAddress(TestBase), 4 * Paging.PageSize, Protection.Read) != RegionResult.Ok)
                return "ProtectRange failed";
            if (SafeAccess.TryWrite(TestBase + 8, 1)) return "write to a read-only page did not fault";
            if (!SafeAccess.TryRead(TestBase + 7 * 8, out ulong v) || v != 0xC0FFEE00) return "read of a read-only page failed";
            if (!SafeAccess.TryWrite(TestBase + 5 * Paging.PageSize, 2)) return "write past the read-only part faulted";

            // Unmapped: any access faults, and the 16 data frames come back
            // (page-table pages stay until the address space is destroyed).
            ulong freeBeforeUnmap = KernelMemory.Frames.FreeFrames;
            if (space.RemoveRange(new VirtualAddress(TestBase), 16 * Paging.PageSize) != RegionResult.Ok) return "RemoveRange failed";
            if (SafeAccess.TryRead(TestBase, out _)) return "read of an unmapped page did not fault";
            if (KernelMemory.Frames.FreeFrames != freeBeforeUnmap + 16) return "RemoveRange did not free exactly the 16 pages";
            return null;
        }

        private static string DestroyReturnsFrames()
        {
            ulong before = KernelMemory.FramesAccountedFree;
            for (int round = 0; round < 20; round++)
            {
                var space = NewSpace();
                if (space == null) return "could not create an address space";
                space.AddRegion(new VirtualAddress(TestBase), 64 * Paging.PageSize, Protection.ReadWrite);
                space.AddRegion(new VirtualAddress(0x7000_0000_0000), 4 * Paging.PageSize, Protection.ReadWrite);
                LoadedSpaces.Load(space);
                SafeAccess.BeginUserAccess();
                for (ulong p = 0; p < 64; p += 3) *(ulong*)(TestBase + p * Paging.PageSize) = p;
                *(ulong*)0x7000_0000_0000UL = 1;   // a second, distant set of page tables
                SafeAccess.EndUserAccess();
                SpaceState.Destroy(space);
            }
            return KernelMemory.FramesAccountedFree == before ? null : "destroyed address spaces kept frames";
        }

        private static string KernelTextReadOnly()
        {
            ulong text = (ulong)(delegate*<string>)&KernelTextReadOnly;
            if (!SafeAccess.TryRead(text, out ulong code)) return "kernel text is not readable";
            if (SafeAccess.TryWrite(text, code)) return "kernel text is writable";
            return null;
        }

        // CR4.PGE is on and the kernel half's leaves carry Global, so switching
        // address spaces keeps the kernel's translations; user pages never do.
        private static string KernelPagesGlobal()
        {
            if ((Cpu.ReadCr4() & Cpu.Cr4GlobalPages) == 0) return "CR4.PGE is off";
            if (!IsGlobal(ref KernelMemory.KernelTable, (ulong)(delegate*<string>)&KernelPagesGlobal)) return "kernel text is not global";
            if (!IsGlobal(ref KernelMemory.KernelTable, (ulong)DirectMap.Pointer(new FrameNumber(0x100)))) return "the direct map is not global";
            if (!IsGlobal(ref KernelMemory.KernelTable, Cpu.ReadStackPointer())) return "this kernel stack is not global";

            var space = NewSpace();
            if (space == null) return "could not create an address space";
            string result = null;
            if (space.AddRegion(new VirtualAddress(TestBase), Paging.PageSize, Protection.ReadWrite) != RegionResult.Ok)
                result = "AddRegion failed";
            else if (space.ResolvePage(new VirtualAddress(TestBase), true, out _) != FaultVerdict.Handled)
                result = "could not fault in a user page";
            else if (IsGlobal(ref space.Table, TestBase))
                result = "a user page is global";
            SpaceState.Destroy(space);
            return result;
        }

        private static bool IsGlobal(ref PageTable<DirectMap, CpuTlb> table, ulong va) =>
            (table.Walk(new VirtualAddress(va)).Effective & PageFlags.Global) != 0;

        private class Node { public long Pad; public long Value; }
        private static Node _nothing;

        // Nothing is mapped at 0 any more: a null object dereference faults
        // (at offset 0x10, the field's place in the object).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static string NullDereference() => ReadThroughNull(_nothing) == 0 ? "null read returned 0" : "null read returned a value";

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static long ReadThroughNull(Node n) => n.Value;

        private static string StackOverflow() => Recurse(1) == 0 ? "recursion ended" : "recursion returned";

        // Unbounded recursion with a real frame each time; shared with the thread-stack test.
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static long Recurse(long depth)
        {
            long* pad = stackalloc long[32];
            pad[depth & 31] = depth;
            return Recurse(depth + 1) + pad[(depth + 1) & 31];
        }
    }
}
