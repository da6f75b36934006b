using Sticky.Arch;
using Sticky.Sync;

namespace Sticky.Mm
{
    // The kernel's side of one user address space (the AddressSpace itself is
    // shared, host-tested code): its lock, which CPUs have it in CR3
    // (LoadedSpaces keeps the mask), and the pages invalidated since the last
    // flush. Flush invalidates them on this CPU and shoots them down on every
    // other CPU in the mask, in one round.
    //
    // The lock is the space's, not a process's: a vfork child runs on its
    // parent's space, and both must be excluded by one lock (docs/locking.md;
    // Process.LockSpace finds it). The pending range is guarded by it.
    //
    // Why the mask cannot miss a CPU: LoadedSpaces sets a CPU's bit (a locked
    // instruction, a full barrier) before it writes CR3, and Flush reads the
    // mask after the page-table writes it flushes (also behind a locked
    // instruction). A CPU whose bit Flush did not see loaded CR3 after those
    // writes, so it never cached the old entries. A CPU clears its bit only
    // after it has loaded another CR3, which dropped them.
    public sealed unsafe class SpaceState
    {
        public readonly Mutex Lock = new Mutex();
        public ulong Root;               // the space's PML4 address (what CR3 holds when it is loaded)
        public int Cpus;                 // bit per CPU that has Root in CR3
        private ulong _first, _end;      // pending: the pages [_first, _end)
        private bool _pending;

        public static AddressSpace<DirectMap, CpuTlb> NewSpace()
        {
            var state = new SpaceState();
            var space = AddressSpace<DirectMap, CpuTlb>.Create(default, new CpuTlb(state), KernelMemory.Frames, KernelMemory.KernelTemplate);
            if (space == null) { state.Free(); return null; }
            state.Root = space.Root.Address.Value;
            return space;
        }

        // Fork: the child gets a SpaceState of its own.
        public static AddressSpace<DirectMap, CpuTlb> Fork(AddressSpace<DirectMap, CpuTlb> parent, bool copyPinnedEagerly)
        {
            var state = new SpaceState();
            var child = parent.Fork(copyPinnedEagerly, new CpuTlb(state));
            if (child == null) { state.Free(); return null; }
            state.Root = child.Root.Address.Value;
            return child;
        }

        // The end of a space: no CPU may keep it in CR3 (one that ran a kernel
        // thread after it, or that is running this very code, still does), then
        // its tables and frames go back, then the objects.
        public static void Destroy(AddressSpace<DirectMap, CpuTlb> space)
        {
            SpaceState state = space.Tlb.State;
            LoadedSpaces.UnloadEverywhere(space);
            space.Destroy();
            state.Free();
            KernelHeap.Free(space);
        }

        private void Free()
        {
            Lock.Free();
            KernelHeap.Free(this);
        }

        public void Note(ulong page)
        {
            if (!_pending) { _first = page; _end = page + Paging.PageSize; _pending = true; return; }
            if (page < _first) _first = page;
            if (page + Paging.PageSize > _end) _end = page + Paging.PageSize;
        }

        public void NoteAll()
        {
            _pending = true;
            _first = 0;
            _end = Paging.UserEnd;
        }

        public void Flush()
        {
            if (!_pending) return;
            ulong pages = (_end - _first) >> Paging.PageShift;   // past 32: a full flush (TlbShootdown)
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
