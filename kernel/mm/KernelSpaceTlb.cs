using Sticky.Arch;

namespace Sticky.Mm
{
    // One user address space's TLB bookkeeping: which CPUs have it in CR3
    // (LoadedSpaces keeps the mask) and the pages invalidated since the last
    // flush. Flush invalidates them on this CPU and shoots them down on every
    // other CPU in the mask, in one round. Guarded by the space's lock.
    //
    // Why the mask cannot miss a CPU: LoadedSpaces sets a CPU's bit (a locked
    // instruction, a full barrier) before it writes CR3, and Flush reads the
    // mask after the page-table writes it flushes (also behind a locked
    // instruction). A CPU whose bit Flush did not see loaded CR3 after those
    // writes, so it never cached the old entries. A CPU clears its bit only
    // after it has loaded another CR3, which dropped them.
    public sealed unsafe class SpaceTlb
    {
        public ulong Root;               // the space's PML4 address (what CR3 holds when it is loaded)
        public int Cpus;                 // bit per CPU that has Root in CR3
        private ulong _first, _end;      // pending: the pages [_first, _end)
        private bool _pending;

        public static AddressSpace<DirectMap, CpuTlb> NewSpace()
        {
            var tlb = new SpaceTlb();
            var space = AddressSpace<DirectMap, CpuTlb>.Create(default, new CpuTlb(tlb), KernelMemory.Frames, KernelMemory.KernelTemplate);
            if (space == null) { KernelHeap.Free(tlb); return null; }
            tlb.Root = space.Root.Address.Value;
            return space;
        }

        // Fork: the child gets a SpaceTlb of its own.
        public static AddressSpace<DirectMap, CpuTlb> Fork(AddressSpace<DirectMap, CpuTlb> parent, bool copyPinnedEagerly)
        {
            var tlb = new SpaceTlb();
            var child = parent.Fork(copyPinnedEagerly, new CpuTlb(tlb));
            if (child == null) { KernelHeap.Free(tlb); return null; }
            tlb.Root = child.Root.Address.Value;
            return child;
        }

        // The end of a space: no CPU may keep it in CR3 (one that ran a kernel
        // thread after it, or that is running this very code, still does), then
        // its tables and frames go back, then the objects.
        public static void Destroy(AddressSpace<DirectMap, CpuTlb> space)
        {
            SpaceTlb tlb = space.Tlb.Space;
            LoadedSpaces.UnloadEverywhere(space);
            space.Destroy();
            KernelHeap.Free(tlb);
            KernelHeap.Free(space);
        }

        public void Note(ulong page)
        {
            if (!_pending) { _first = page; _end = page + Paging.PageSize; _pending = true; return; }
            if (page < _first) _first = page;
            if (page + Paging.PageSize > _end) _end = page + Paging.PageSize;
        }

        public void Flush()
        {
            if (!_pending) return;
            ulong pages = (_end - _first) >> Paging.PageShift;
            _pending = false;
            ulong flags = Cpu.SaveAndDisableInterrupts();
            TlbShootdown.InvalidateLocal(Root, _first, pages);
            int cpus;
            fixed (int* mask = &Cpus) cpus = Atomic.CompareExchange(mask, 0, 0);   // a locked read: after the PTE writes
            TlbShootdown.Run(cpus, Root, _first, pages);
            Cpu.RestoreInterrupts(flags);
        }
    }
}
