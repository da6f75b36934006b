using System;

namespace Sticky.Mm
{
    public enum MapResult
    {
        Mapped,
        OutOfMemory,     // a needed page-table page could not be allocated; nothing changed
        AlreadyMapped,   // the page is present; nothing changed (e.g. two CPUs faulting one page)
    }

    // A 4-level x86-64 page table rooted at a PML4 frame.
    //
    // Ownership: the lower half (PML4 entries 0..255) belongs to this table. Each
    // present 4 KiB leaf there owns one reference to its frame: Map takes over a
    // reference the caller holds, Unmap/Remap hand it back, Destroy releases
    // it. The upper half is the kernel's, copied from a template at creation and
    // never freed here; the template preallocates all 256 PDPTs so that later
    // kernel mappings, made through the template, appear in every address space.
    //
    // Intermediate tables in the lower half are Present|Writable|User so the leaf
    // alone decides the access. Empty intermediate tables are kept until
    // Destroy (as in xv6/Linux: cheap, and munmap stays simple).
    //
    // TLB: changing or removing a present entry invalidates that page (which
    // takes effect everywhere at the owner's ITlb.Flush); making a non-present
    // entry present needs nothing (the CPU caches no non-present translations;
    // at worst a spurious fault, which HandleFault absorbs).
    //
    // A struct of handles: copying it copies the handles, not the tables. Exactly
    // one owner calls Destroy. Walks over whole leaf tables (fork, munmap):
    // PageTableLeaves.cs.
    public unsafe partial struct PageTable<TMem, TTlb>
        where TMem : struct, IPhysicalMemory
        where TTlb : struct, ITlb
    {
        private const PageFlags UserTableFlags = PageFlags.Present | PageFlags.Writable | PageFlags.User;
        private const PageFlags KernelTableFlags = PageFlags.Present | PageFlags.Writable;

        private TMem _mem;
        private TTlb _tlb;
        private readonly FrameTable _frames;
        public FrameNumber Root { get; private set; }   // what CR3 gets

        private PageTable(TMem mem, TTlb tlb, FrameTable frames, FrameNumber root)
        {
            _mem = mem; _tlb = tlb; _frames = frames; Root = root;
        }

        // A new, empty lower half; the upper half copied from `kernelTemplate`'s
        // PML4 (FrameNumber.None: leave it empty, e.g. for the template itself).
        public static bool TryCreate(TMem mem, TTlb tlb, FrameTable frames, FrameNumber kernelTemplate,
                                     out PageTable<TMem, TTlb> table)
        {
            table = default;
            if (!frames.TryAllocate(out FrameNumber root)) return false;
            PhysicalMemory.ZeroFrame(mem, root);
            if (!kernelTemplate.IsNone)
            {
                PageTableEntry* from = (PageTableEntry*)mem.Map(kernelTemplate.Address);
                PageTableEntry* to = (PageTableEntry*)mem.Map(root.Address);
                for (int i = Paging.FirstKernelPml4Entry; i < Paging.EntriesPerTable; i++) to[i] = from[i];
            }
            table = new PageTable<TMem, TTlb>(mem, tlb, frames, root);
            return true;
        }

        // For the kernel template: gives every upper-half PML4 entry a PDPT (256
        // frames), so the upper half of the PML4 never changes after address
        // spaces have copied it. False on OOM; tables made so far stay linked.
        public bool PreallocateKernelHalf()
        {
            PageTableEntry* pml4 = Table(Root);
            for (int i = Paging.FirstKernelPml4Entry; i < Paging.EntriesPerTable; i++)
            {
                if (pml4[i].IsPresent) continue;
                if (!_frames.TryAllocate(out FrameNumber pdpt)) return false;
                PhysicalMemory.ZeroFrame(_mem, pdpt);
                pml4[i] = new PageTableEntry(pdpt, KernelTableFlags);
            }
            return true;
        }

        // Maps the 4 KiB page at `page` to `frame` (Present is implied). The
        // mapping takes over one reference the caller holds on `frame`.
        public MapResult Map(VirtualAddress page, FrameNumber frame, PageFlags flags) => Map(page, frame, flags, out _);

        // The same; `entry` is what the page's entry holds afterwards: the one
        // written, or on AlreadyMapped the one already there (so a fault handler
        // needs no second walk to see what it mapped).
        public MapResult Map(VirtualAddress page, FrameNumber frame, PageFlags flags, out PageTableEntry entry)
        {
            CheckPage(page);
            CheckLeafFlags(page, flags);
            if ((flags & PageFlags.Huge) != 0)
                throw new InvalidOperationException("PageTable.Map: only 4 KiB pages are mapped here");

            entry = default;
            PageTableEntry* table = LeafTableCreating(page);
            if (table == null) return MapResult.OutOfMemory;
            PageTableEntry* e = table + page.TableIndex(1);
            if (e->IsPresent) { entry = *e; return MapResult.AlreadyMapped; }
            *e = entry = new PageTableEntry(frame, flags | PageFlags.Present);
            return MapResult.Mapped;
        }

        // Creates the tables missing on the way to `page`'s leaf entry, mapping
        // nothing (e.g. to build a kernel area's tables ahead of use). False when
        // frames run out; then nothing changed.
        public bool EnsureTables(VirtualAddress page)
        {
            CheckPage(page);
            return LeafTableCreating(page) != null;
        }

        // The level-1 table covering `page`, allocating the tables missing on the
        // way; null when frames run out.
        private PageTableEntry* LeafTableCreating(VirtualAddress page)
        {
            PageTableEntry* table = Descend(page, out int level);
            if (level == 1) return table;

            // Allocate every missing table before linking any, so running out of
            // frames leaves the tree exactly as it was.
            int needed = level - 1;
            FrameNumber* fresh = stackalloc FrameNumber[Paging.LevelCount - 1];
            for (int i = 0; i < needed; i++)
            {
                if (!_frames.TryAllocate(out fresh[i]))
                {
                    for (int j = 0; j < i; j++) _frames.Free(fresh[j]);
                    return null;
                }
                PhysicalMemory.ZeroFrame(_mem, fresh[i]);
            }

            PageFlags tableFlags = page.IsLowerHalf ? UserTableFlags : KernelTableFlags;
            for (int i = 0; i < needed; i++, level--)
            {
                table[page.TableIndex(level)] = new PageTableEntry(fresh[i], tableFlags);
                table = Table(fresh[i]);
            }
            return table;
        }

        // Removes the mapping of `page` and hands its frame reference to the caller.
        public bool Unmap(VirtualAddress page, out FrameNumber frame)
        {
            CheckPage(page);
            PageTableEntry* e = Leaf(page);
            if (e == null || !e->IsPresent) { frame = FrameNumber.None; return false; }
            frame = e->Frame;
            *e = default;
            _tlb.InvalidatePage(page);
            return true;
        }

        // Replaces the permission flags of a present page, keeping its frame and
        // the CPU's Accessed/Dirty bits. False if not mapped.
        public bool Protect(VirtualAddress page, PageFlags flags) => Protect(page, flags, out _);

        // The same; `entry` is the entry written (default if not mapped).
        public bool Protect(VirtualAddress page, PageFlags flags, out PageTableEntry entry)
        {
            CheckPage(page);
            CheckLeafFlags(page, flags);
            entry = default;
            PageTableEntry* e = Leaf(page);
            if (e == null || !e->IsPresent) return false;
            PageFlags keep = e->Flags & (PageFlags.Accessed | PageFlags.Dirty);
            *e = entry = new PageTableEntry(e->Frame, (flags & ~(PageFlags.Accessed | PageFlags.Dirty)) | keep | PageFlags.Present);
            _tlb.InvalidatePage(page);
            return true;
        }

        // Points a present page at another frame in one store (a COW copy): the
        // new mapping takes a reference the caller holds on `frame`, the old
        // frame's reference goes to the caller; `entry` is the entry written.
        // False if not mapped.
        public bool Remap(VirtualAddress page, FrameNumber frame, PageFlags flags, out FrameNumber old, out PageTableEntry entry)
        {
            CheckPage(page);
            CheckLeafFlags(page, flags);
            entry = default;
            PageTableEntry* e = Leaf(page);
            if (e == null || !e->IsPresent) { old = FrameNumber.None; return false; }
            old = e->Frame;
            *e = entry = new PageTableEntry(frame, flags | PageFlags.Present);
            _tlb.InvalidatePage(page);
            return true;
        }

        // The 4 KiB leaf entry for `page`, present or not. False if a table on the
        // way is missing.
        public bool GetEntry(VirtualAddress page, out PageTableEntry entry)
        {
            PageTableEntry* e = Leaf(page.PageBase);
            entry = e == null ? default : *e;
            return e != null;
        }

        public bool Translate(VirtualAddress address, out PhysicalAddress physical, out PageFlags flags)
        {
            PageWalk w = Walk(address);
            physical = w.Address;
            flags = w.Effective;
            return w.IsMapped;
        }

        // Reads the entries for `address` from the PML4 down, stopping at a
        // non-present entry or a leaf (a 4 KiB page, or a 2 MiB / 1 GiB huge page).
        public PageWalk Walk(VirtualAddress address)
        {
            PageWalk w = default;
            PageTableEntry* table = Table(Root);
            bool writable = true, user = true, noExecute = false;
            for (int level = Paging.LevelCount; level >= 1; level--)
            {
                PageTableEntry e = table[address.TableIndex(level)];
                w.Set(level, e);
                w.LowestLevel = level;
                if (!e.IsPresent) return w;
                writable &= e.IsWritable;
                user &= e.IsUser;
                noExecute |= !e.IsExecutable;
                if (level == 1 || (level <= 3 && e.IsHuge))
                {
                    ulong span = Paging.EntrySpan(level);
                    w.IsMapped = true;
                    w.MappingSize = span;
                    w.Address = new PhysicalAddress((e.Raw & PageTableEntry.AddressMask & ~(span - 1)) | (address.Value & (span - 1)));
                    PageFlags f = e.Flags & ~(PageFlags.Writable | PageFlags.User | PageFlags.NoExecute);
                    if (writable) f |= PageFlags.Writable;
                    if (user) f |= PageFlags.User;
                    if (noExecute) f |= PageFlags.NoExecute;
                    w.Effective = f;
                    return w;
                }
                table = Table(e.Frame);
            }
            return w;
        }

        // The first present 4 KiB page in [from, end), skipping whole missing
        // tables rather than probing page by page. Both ends in the same half.
        public bool NextMapped(VirtualAddress from, VirtualAddress end, out VirtualAddress page, out PageTableEntry entry)
        {
            if (from.IsLowerHalf != (end.Value <= 0x0000_8000_0000_0000))
                throw new ArgumentException("PageTable.NextMapped: range crosses the non-canonical hole");
            ulong v = Paging.AlignDown(from.Value);
            while (v < end.Value)
            {
                PageTableEntry* table = Table(Root);
                ulong next = 0;
                for (int level = Paging.LevelCount; level >= 1; level--)
                {
                    PageTableEntry e = table[new VirtualAddress(v).TableIndex(level)];
                    if (e.IsPresent && level == 1)
                    {
                        page = new VirtualAddress(v);
                        entry = e;
                        return true;
                    }
                    if (!e.IsPresent || e.IsHuge)
                    {
                        ulong span = Paging.EntrySpan(level);
                        next = (v & ~(span - 1)) + span;   // skip everything this entry covers
                        break;
                    }
                    table = Table(e.Frame);
                }
                if (next <= v) break;   // wrapped past the top of the address space
                v = next;
            }
            page = default;
            entry = default;
            return false;
        }

        // Frees every lower-half page-table page, releases every lower-half
        // leaf's frame reference, then frees the PML4; the kernel half is not
        // touched. The table must not be loaded in CR3 (the kernel switches
        // away first), so no TLB entry of it can survive: nothing to flush.
        // Root is None from the first freed table on, so a table that is being
        // or has been destroyed can be told from a live one (the kernel refuses
        // to load it into CR3: KernelPageFaults.Switch).
        public void Destroy()
        {
            FrameNumber root = Root;
            Root = FrameNumber.None;
            PageTableEntry* pml4 = Table(root);
            for (int i = 0; i < Paging.FirstKernelPml4Entry; i++)
                if (pml4[i].IsPresent) FreeTable(pml4[i].Frame, Paging.LevelCount - 1);
            _frames.Free(root);
        }

        private void FreeTable(FrameNumber frame, int level)
        {
            PageTableEntry* table = Table(frame);
            if (level == 1)
            {
                // A leaf table's frames go back in one frame-lock hold.
                FrameNumber* frames = stackalloc FrameNumber[Paging.EntriesPerTable];
                int n = 0;
                for (int i = 0; i < Paging.EntriesPerTable; i++)
                    if (table[i].IsPresent) frames[n++] = table[i].Frame;
                _frames.ReleaseAll(frames, n);
            }
            else
            {
                for (int i = 0; i < Paging.EntriesPerTable; i++)
                {
                    PageTableEntry e = table[i];
                    if (!e.IsPresent) continue;
                    if (e.IsHuge) throw new InvalidOperationException("PageTable.Destroy: huge page in the user half");
                    FreeTable(e.Frame, level - 1);
                }
            }
            _frames.Free(frame);
        }

        // The level-1 entry for `page`, or null if a table on the way is missing.
        private PageTableEntry* Leaf(VirtualAddress page)
        {
            PageTableEntry* table = Descend(page, out int level);
            return level == 1 ? table + page.TableIndex(1) : null;
        }

        // Follows `page`'s path down from the PML4 while the entries are present:
        // returns the level-1 table (level = 1), or the table at `level` whose
        // entry for `page` is missing. A huge page on the way is a broken caller.
        private PageTableEntry* Descend(VirtualAddress page, out int level)
        {
            PageTableEntry* table = Table(Root);
            for (level = Paging.LevelCount; level > 1; level--)
            {
                PageTableEntry e = table[page.TableIndex(level)];
                if (!e.IsPresent) break;
                if (e.IsHuge) throw new InvalidOperationException("PageTable: huge page where a 4 KiB page was expected");
                table = Table(e.Frame);
            }
            return table;
        }

        private PageTableEntry* Table(FrameNumber frame) => (PageTableEntry*)_mem.Map(frame.Address);

        private static void CheckPage(VirtualAddress page)
        {
            if (!page.IsPageAligned) throw new ArgumentException("PageTable: address is not page aligned");
            if (!page.IsCanonical) throw new ArgumentException("PageTable: address is not canonical");
        }

        // User pages only in the lower half; Global pages only in the upper half,
        // since a global translation survives CR3 switches (CR4.PGE is on) and
        // would show one process's page to the next.
        private static void CheckLeafFlags(VirtualAddress page, PageFlags flags)
        {
            if ((flags & PageFlags.User) != 0 && !page.IsLowerHalf)
                throw new InvalidOperationException("PageTable: user mapping in the shared kernel half");
            if ((flags & PageFlags.Global) != 0 && page.IsLowerHalf)
                throw new InvalidOperationException("PageTable: global mapping in the per-process user half");
        }
    }
}
