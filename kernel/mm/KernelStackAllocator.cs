using Sticky.Debug;

namespace Sticky.Mm
{
    // Kernel stacks for threads, in their own area of the kernel half: each
    // 64 KiB slot is an unmapped guard page followed by 60 KiB of stack, so an
    // overflow faults (and is reported as one) instead of corrupting memory.
    public static unsafe class KernelStackAllocator
    {
        public const ulong AreaBase = 0xFFFFFF0000000000UL;
        public const ulong SlotSize = 64 * 1024;
        public const int MaxStacks = 1024;   // every thread has one: the system-wide thread limit
        private const ulong StackPages = SlotSize / Paging.PageSize - 1;

        private struct SlotStack { public fixed ushort Free[MaxStacks]; }
        private static SlotStack _free;
        private static int _freeCount;
        private static int _live;
        // Slots and the kernel table's stack area: threads are created with
        // interrupts on and freed by whichever thread runs next.
        private static Sticky.Sync.SpinLock _lock;

        public static int LiveStacks => _live;

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
        public static ulong Allocate()
        {
            ulong flags = _lock.AcquireIrqSave();
            ulong top = AllocateLocked();
            _lock.ReleaseIrqRestore(flags);
            return top;
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

        // Another CPU that ran the thread may still cache the stack's (global)
        // translations: they are shot down before the frames or the slot are
        // reused. Holding no lock (TlbShootdown's rule): the reaper, or a thread
        // that was never started.
        public static void Free(ulong top)
        {
            ulong stackBase = top - StackPages * Paging.PageSize;
            FrameNumber* frames = stackalloc FrameNumber[(int)StackPages];
            ulong flags = _lock.AcquireIrqSave();
            for (ulong p = 0; p < StackPages; p++)
                KernelMemory.KernelTable.Unmap(new VirtualAddress(stackBase + p * Paging.PageSize), out frames[p]);
            _lock.ReleaseIrqRestore(flags);
            TlbShootdown.RunKernel(stackBase, StackPages);
            for (ulong p = 0; p < StackPages; p++) KernelMemory.Frames.Free(frames[p]);
            flags = _lock.AcquireIrqSave();
            _free.Free[_freeCount++] = (ushort)((stackBase - AreaBase) / SlotSize);
            _live--;
            _lock.ReleaseIrqRestore(flags);
        }

        // A slot that was never handed out (Allocate failed half way): nobody
        // has used its translations.
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
