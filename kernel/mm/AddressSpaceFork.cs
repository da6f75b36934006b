namespace Sticky.Mm
{
    // fork(): the child's address space, built lazily (docs: design, memory model).
    //
    //   private page        -> read-only + Cow in parent and child, one more reference
    //                          on the frame (a page already Cow-shared with a third
    //                          address space just gains another owner);
    //   private, pinned,    -> with copyPinnedEagerly (the sticky futex design): the
    //   frame                  child gets its own copy now, and the parent keeps its
    //                          frame and its PTE, so futex waiters queued on that frame
    //                          are never left behind by a later COW break;
    //   MAP_SHARED page     -> the same frame with the region's flags, one more reference.
    //
    // Read-only and PROT_NONE private pages become Cow too, so that an mprotect
    // back to writable still copies on the first write.
    public sealed partial class AddressSpace<TMem, TTlb>
    {

        // The child, or null when frames run out: then the partial child has been
        // destroyed and every frame and reference it took is back. Parent PTEs
        // already turned Cow stay so; that is harmless (a write on a frame with a
        // single owner just makes it writable again).
        //
        // The caller holds the parent's lock. The parent's write-protects are
        // flushed once, at the end (and before each eager copy): before fork
        // returns, no thread of the parent can still write a page the child maps.
        public AddressSpace<TMem, TTlb> Fork(bool copyPinnedEagerly) => Fork(copyPinnedEagerly, _tlb);

        // `childTlb`: the child's own (the kernel's tracks which CPUs run each space).
        public AddressSpace<TMem, TTlb> Fork(bool copyPinnedEagerly, TTlb childTlb)
        {
            AddressSpace<TMem, TTlb> child = ForkPages(copyPinnedEagerly, childTlb);
            _tlb.Flush();
            return child;
        }

        private AddressSpace<TMem, TTlb> ForkPages(bool copyPinnedEagerly, TTlb childTlb)
        {
            // The parent's kernel half is the kernel template's, so its PML4 serves as the template.
            AddressSpace<TMem, TTlb> child = Create(_mem, childTlb, _frames, _table.Root);
            if (child == null) return null;
            for (int i = 0; i < _count; i++)
            {
                child.Insert(i, _regions[i]);
                _regions[i].Backing?.AddRef();
            }
            for (int i = 0; i < _count; i++)
            {
                if (!CopyPagesTo(child, _regions[i], copyPinnedEagerly))
                {
                    child.Destroy();
                    ObjectRelease.Release(child);
                    return null;
                }
            }
            return child;
        }

        private bool CopyPagesTo(AddressSpace<TMem, TTlb> child, Region r, bool copyPinnedEagerly)
        {
            VirtualAddress from = r.Start;
            while (_table.NextMapped(from, r.End, out VirtualAddress page, out PageTableEntry pte))
            {
                bool ok;
                if (r.IsShared) ok = ShareFrame(child, page, pte.Frame, r.LeafFlags);
                else if (copyPinnedEagerly && _frames.IsPinned(pte.Frame)) ok = CopyEagerly(child, r, page, pte);
                else ok = ShareCow(child, r, page, pte);
                if (!ok) return false;
                from = page + Paging.PageSize;
            }
            return true;
        }

        // Write-protects the parent's page first, so that once the child maps the
        // frame no write of the parent can reach it.
        private bool ShareCow(AddressSpace<TMem, TTlb> child, Region r, VirtualAddress page, PageTableEntry pte)
        {
            PageFlags cow = (r.LeafFlags & ~PageFlags.Writable) | PageFlags.Cow;
            if (pte.IsWritable || !pte.IsCow) _table.Protect(page, cow);
            return ShareFrame(child, page, pte.Frame, cow);
        }

        private bool ShareFrame(AddressSpace<TMem, TTlb> child, VirtualAddress page, FrameNumber frame, PageFlags flags)
        {
            _frames.AddRef(frame);
            MapResult m = child._table.Map(page, frame, flags);
            if (m == MapResult.Mapped) { child._resident++; return true; }
            _frames.Release(frame);
            if (m == MapResult.AlreadyMapped) throw new System.InvalidOperationException("AddressSpace.Fork: child page mapped twice");
            return false;
        }

        // The parent's PTE is read-only, and flushed from every CPU, while the
        // copy is made, so no thread of the parent (on another CPU, through a
        // stale TLB entry) can change the page half-way through; one that tries
        // faults and waits for the parent's lock, which fork holds. Then the
        // parent gets back exactly what it had.
        private bool CopyEagerly(AddressSpace<TMem, TTlb> child, Region r, VirtualAddress page, PageTableEntry pte)
        {
            if (!_frames.TryAllocate(out FrameNumber copy)) return false;
            bool wasWritable = pte.IsWritable && !Sticky.Lib.TestSwitches.SkipEagerWriteProtect;
            if (wasWritable)
            {
                _table.Protect(page, pte.Flags & ~PageFlags.Writable);
                _tlb.Flush();
            }
            PhysicalMemory.CopyFrame(_mem, copy, pte.Frame);
            if (wasWritable) _table.Protect(page, pte.Flags);
            MapResult m = child._table.Map(page, copy, r.LeafFlags);
            if (m == MapResult.Mapped) { child._resident++; return true; }
            _frames.Free(copy);
            if (m == MapResult.AlreadyMapped) throw new System.InvalidOperationException("AddressSpace.Fork: child page mapped twice");
            return false;
        }
    }
}
