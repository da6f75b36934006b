using Sticky.Arch;
using Sticky.Debug;
using Sticky.Platform;
using Sticky.Runtime;

namespace Sticky.Mm
{
    // Boot-time memory setup: the frame table from the firmware's memory map,
    // then the kernel's own page tables, which replace the boot stub's:
    //
    //   0x0000_0000_0000_0000 .. 0x0000_7fff_ffff_ffff  user (per address space)
    //   0xffff_8000_0000_0000 ..                        direct map of physical memory (2 MiB pages, NX)
    //   0xffff_ff00_0000_0000 ..                        kernel stacks with guard pages (threads)
    //   0xffff_ffff_8000_0000 ..                        kernel image: text RX, rodata R, data RW+NX
    //
    // Nothing is identity-mapped afterwards, so a null pointer faults.
    public static unsafe class KernelMemory
    {
        private const ulong KernelVma = 0xFFFFFFFF80000000UL;
        private const ulong TwoMiB = 2UL << 20, OneGiB = 1UL << 30;

        private static FrameTable _frames;
        private static PageTable<DirectMap, CpuTlb> _kernelTable;

        public static FrameTable Frames => _frames;
        public static FrameNumber KernelTemplate => _kernelTable.Root;
        public static ref PageTable<DirectMap, CpuTlb> KernelTable => ref _kernelTable;

        public static void Init(BootInfo* boot)
        {
            ImageLayout* image = KernelImage.Layout;
            InitFrames(boot, image);
            BuildKernelTables(boot, image);
            KernelStacks.BootGuardPage = image->BootStackGuard;
            Cpu.WriteCr3(_kernelTable.Root.Address.Value);
            // Now that the only global entries are the kernel half's (PageTable
            // refuses a global user page), let them survive CR3 switches. Setting
            // PGE also flushes the whole TLB, the boot stub's translations included.
            Cpu.WriteCr4(Cpu.ReadCr4() | Cpu.Cr4GlobalPages);
            KernelStackAllocator.Init();
            LoadedSpaces.Init();
            TlbShootdown.Init();
            KernelPageFaults.Install();
            KernelPages.FrameSource = &HeapPagesFromFrames;
            KernelPages.FrameSink = &HeapPagesToFrames;
        }

        private static void InitFrames(BootInfo* boot, ImageLayout* image)
        {
            PhysicalRange* usable = stackalloc PhysicalRange[MemoryMap.Capacity];
            int usableCount = 0;
            for (int i = 0; i < boot->Memory.Count; i++)
            {
                MemoryRange r = boot->Memory[i];
                if (r.Type == MemoryMap.Usable) usable[usableCount++] = new PhysicalRange(r.Base, r.Length);
            }
            // Below 1 MiB: real-mode leftovers and firmware data; the kernel image; the initramfs.
            PhysicalRange* reserved = stackalloc PhysicalRange[3];
            reserved[0] = new PhysicalRange(0, 0x100000);
            reserved[1] = new PhysicalRange(image->PhysStart, image->PhysEnd - image->PhysStart);
            reserved[2] = new PhysicalRange(boot->InitrdBase, boot->InitrdLength);

            ulong frameCount = FrameTableLayout.FrameCountFor(usable, usableCount);
            ulong bytes = FrameTableLayout.MetadataBytes(frameCount);
            if (!FrameTableLayout.FindPlace(usable, usableCount, reserved, 3, bytes, out PhysicalAddress place))
                Panic.Halt("no room for the frame table in physical memory");
            DirectMap mem = default;
            _frames = new FrameTable((FrameInfo*)mem.Map(place), place, frameCount, usable, usableCount, reserved, 3);
            _frames.ReserveFloor = KernelHeapReserveFrames;
        }

        // Kept back from user memory for kernel objects (processes, pipes, files):
        // 1 MiB covers the largest process table the limits allow.
        public const ulong KernelHeapReserveFrames = 256;

        private static void BuildKernelTables(BootInfo* boot, ImageLayout* image)
        {
            DirectMap mem = default;
            if (!PageTable<DirectMap, CpuTlb>.TryCreate(mem, default, _frames, FrameNumber.None, out _kernelTable)
                || !_kernelTable.PreallocateKernelHalf())
                Panic.Halt("out of memory building the kernel page tables");

            // Direct map: all RAM and at least the low 4 GiB (the local APIC lives there).
            ulong end = boot->Memory.HighestUsableEnd();
            if (end < 4 * OneGiB) end = 4 * OneGiB;
            ulong gibs = (end + OneGiB - 1) / OneGiB;
            PageTableEntry* pml4 = (PageTableEntry*)mem.Map(_kernelTable.Root.Address);
            for (ulong gib = 0; gib < gibs; gib++)
            {
                VirtualAddress va = new VirtualAddress(DirectMap.Base + gib * OneGiB);
                PageTableEntry* pdpt = (PageTableEntry*)mem.Map(pml4[va.TableIndex(4)].Frame.Address);
                FrameNumber pd = AllocateZeroedFrame();
                PageTableEntry* pdEntries = (PageTableEntry*)mem.Map(pd.Address);
                for (int i = 0; i < 512; i++)
                    pdEntries[i] = new PageTableEntry(new PhysicalAddress(gib * OneGiB + (ulong)i * TwoMiB).Frame,
                        PageFlags.Present | PageFlags.Writable | PageFlags.Huge | PageFlags.Global | PageFlags.NoExecute);
                pdpt[va.TableIndex(3)] = new PageTableEntry(pd, PageFlags.Present | PageFlags.Writable);
            }

            // Kernel image, page by page with the permissions of its section (W^X).
            for (ulong va = image->TextStart; va < image->KernelEnd; va += Paging.PageSize)
            {
                if (va == image->BootStackGuard) continue;   // the boot stack's guard page stays unmapped
                PageFlags flags = PageFlags.Global;
                if (va >= image->TextStart && va < image->TextEnd) { }
                else if (va >= image->DataStart && va < image->DataEnd) flags |= PageFlags.Writable | PageFlags.NoExecute;
                else flags |= PageFlags.NoExecute;   // rodata, ksyms
                var frame = new PhysicalAddress(va - KernelVma).Frame;
                if (_kernelTable.Map(new VirtualAddress(va), frame, flags) != MapResult.Mapped)
                    Panic.Halt("out of memory mapping the kernel image");
            }
        }

        private static FrameNumber AllocateZeroedFrame()
        {
            if (!_frames.TryAllocate(out FrameNumber f)) Panic.Halt("out of memory during boot");
            PhysicalMemory.ZeroFrame(default(DirectMap), f);
            return f;
        }

        private static ulong _heapFrames;

        // Free frames plus frames the heap holds: constant across any operation
        // that leaks nothing (the heap keeps a few empty slabs cached).
        public static ulong FramesAccountedFree => _frames.FreeFrames + _heapFrames;

        // The heap's page source once frames exist: contiguous runs, zeroed.
        private static byte* HeapPagesFromFrames(int count)
        {
            FrameNumber first;
            bool ok = count == 1 ? _frames.TryAllocateReserved(out first) : _frames.TryAllocateContiguous((ulong)count, 1, out first);
            if (!ok) return null;
            _heapFrames += (ulong)count;
            for (ulong i = 0; i < (ulong)count; i++) PhysicalMemory.ZeroFrame(default(DirectMap), new FrameNumber(first.Value + i));
            return DirectMap.Pointer(first);
        }

        private static void HeapPagesToFrames(byte* pages, int count)
        {
            _heapFrames -= (ulong)count;
            ulong firstFrame = ((ulong)pages - DirectMap.Base) >> Paging.PageShift;
            for (int i = 0; i < count; i++) _frames.Free(new FrameNumber(firstFrame + (ulong)i));
        }
    }
}
