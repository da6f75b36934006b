using Sticky.Debug;

namespace Sticky.Mm
{
    // Kernel stacks for threads, in their own area of the kernel half: each
    // 64 KiB slot is an unmapped guard page followed by 60 KiB of stack, so an
    // overflow faults (and is reported as one) instead of corrupting memory.
    //
    // With several CPUs, a freed stack's (global) translations may linger in
    // the TLBs of CPUs that ran its thread. Its frames can be freed at once
    // (nobody uses those addresses any more, and a stale translation is only
    // harmful once its address is reused), but the slot cannot be handed out
    // again until every CPU has dropped them: freed slots wait on a dirty
    // list, and when the clean ones run out, one shootdown round (a full
    // flush on every CPU) cleans them all. Like Linux's lazy vunmap purge:
    // one round per many hundred threads instead of one per thread.
    public static unsafe class KernelStackAllocator
    {
        public const ulong AreaBase = 0xFFFFFF0000000000UL;
        public const ulong SlotSize = 64 * 1024;
        public const int MaxStacks = 1024;   // every thread has one: the system-wide thread limit
        private const ulong StackPages = SlotSize / Paging.PageSize - 1;

        private struct SlotStack { public fixed ushort Free[MaxStacks]; }
        private static SlotStack _free, _dirty;
        private static int _freeCount, _dirtyCount, _purging;
        private static int _live;
        private static long _purges;
        // Slots and the kernel table's stack area: threads are created with
        // interrupts on and freed by whichever thread runs next.
        private static Sticky.Sync.SpinLock _lock;

        public static int LiveStacks => _live;
        public static long Purges => _purges;

        // Builds the page tables of the whole area up front (128 KiB), so that
        // creating threads later never allocates page-table pages that outlive
        // them: free frames return exactly to their baseline when threads exit.
        public static void Init()
        {
            for (int i = 0; i < MaxStacks; i++) _free.Free[i] = (ushort)(MaxStacks - 1 - i);
            _freeCount = MaxStacks;
            ulong span = Paging.EntrySpan(2);   // one page table per 2 MiB
            for (ulong va = AreaBase; va < AreaBase + MaxStacks * SlotSize; va += span)
                if (!KernelMemory.KernelTable.EnsureTables(new VirtualAddress(va)))
                    Panic.Halt("out of memory for kernel stack tables");
        }

        // Returns the stack top (16-byte aligned), or 0 when out of slots or frames.
        // Holding no spin lock: it may have to clean the dirty slots (a shootdown).
        public static ulong Allocate()
        {
            ulong flags = _lock.AcquireIrqSave();
            while (_freeCount == 0)
            {
                if (_dirtyCount > 0) Purge(ref flags);
                else if (_purging > 0)
                {
                    // Another CPU is cleaning every dirty slot: wait for them.
                    _lock.ReleaseIrqRestore(flags);
                    Sticky.Arch.Cpu.Pause();
                    flags = _lock.AcquireIrqSave();
                }
                else break;   // all slots in use
            }
            ulong top = AllocateLocked();
            _lock.ReleaseIrqRestore(flags);
            return top;
        }

        // Lock held (and dropped meanwhile): every CPU flushes its TLB, global
        // entries included, then the dirty slots are clean.
        private static void Purge(ref ulong flags)
        {
            ushort* taken = stackalloc ushort[MaxStacks];
            int n = _dirtyCount;
            for (int i = 0; i < n; i++) taken[i] = _dirty.Free[i];
            _dirtyCount = 0;
            _purging++;
            _lock.ReleaseIrqRestore(flags);
            ulong irq = Sticky.Arch.Cpu.SaveAndDisableInterrupts();
            TlbShootdown.InvalidateLocal(0, 0, TlbShootdown.Everything);
            TlbShootdown.RunKernel(0, TlbShootdown.Everything);
            Sticky.Arch.Cpu.RestoreInterrupts(irq);
            flags = _lock.AcquireIrqSave();
            for (int i = 0; i < n; i++) _free.Free[_freeCount++] = taken[i];
            _purging--;
            _purges++;
        }

        private static ulong AllocateLocked()
        {
            if (_freeCount == 0) return 0;
            int slot = _free.Free[--_freeCount];
            ulong stackBase = AreaBase + (ulong)slot * SlotSize + Paging.PageSize;
            for (ulong p = 0; p < StackPages; p++)
            {
                if (!KernelMemory.Frames.TryAllocate(out FrameNumber f) ||
                    KernelMemory.KernelTable.Map(new VirtualAddress(stackBase + p * Paging.PageSize), f,
                        PageFlags.Writable | PageFlags.NoExecute | PageFlags.Global) != MapResult.Mapped)
                {
                    if (!f.IsNone) KernelMemory.Frames.Free(f);
                    Unmap(stackBase, p);
                    _free.Free[_freeCount++] = (ushort)slot;
                    return 0;
                }
            }
            _live++;
            return stackBase + StackPages * Paging.PageSize;
        }

        // The frames go back now; the slot waits on the dirty list (see above).
        // Nothing here waits for other CPUs: the scheduler frees a dead
        // thread's stack with its lock held.
        public static void Free(ulong top)
        {
            ulong flags = _lock.AcquireIrqSave();
            ulong stackBase = top - StackPages * Paging.PageSize;
            Unmap(stackBase, StackPages);
            _dirty.Free[_dirtyCount++] = (ushort)((stackBase - AreaBase) / SlotSize);
            _live--;
            _lock.ReleaseIrqRestore(flags);
        }

        private static void Unmap(ulong stackBase, ulong pages)
        {
            for (ulong p = 0; p < pages; p++)
                if (KernelMemory.KernelTable.Unmap(new VirtualAddress(stackBase + p * Paging.PageSize), out FrameNumber f))
                    KernelMemory.Frames.Free(f);
        }

        public static bool InArea(ulong address) => address >= AreaBase && address < AreaBase + MaxStacks * SlotSize;
        public static bool IsGuard(ulong address) => InArea(address) && (address - AreaBase) % SlotSize < Paging.PageSize;
    }
}
