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

        // Pinned pages found by the walk, write-protected and waiting for their
        // eager copy: copied a batch at a time after one flush, so a fork costs
        // one round of shootdown IPIs however many pages it write-protects,
        // COW or pinned (up to EagerBatch pinned pages; one more round per
        // further batch).
        private const int EagerBatch = 16;

        private struct PendingCopy
        {
            public VirtualAddress Page;
            public PageTableEntry Pte;       // as it was before the write-protect
            public bool Protected;
            public PageFlags ChildFlags;
        }

        private unsafe AddressSpace<TMem, TTlb> ForkPages(bool copyPinnedEagerly, TTlb childTlb)
        {
            // The parent's kernel half is the kernel template's, so its PML4 serves as the template.
            AddressSpace<TMem, TTlb> child = Create(_mem, childTlb, _frames, _table.Root);
            if (child == null) return null;
            for (int i = 0; i < _count; i++)
            {
                child.Insert(i, _regions[i]);
                _regions[i].Backing?.AddRef();
            }
            PendingCopy* pending = stackalloc PendingCopy[EagerBatch];
            int waiting = 0;
            bool ok = true;
            for (int i = 0; i < _count && ok; i++) ok = CopyPagesTo(child, _regions[i], copyPinnedEagerly, pending, ref waiting);
            if (ok) ok = CopyPending(child, pending, ref waiting);
            else RestorePending(pending, ref waiting);
            if (ok) return child;
            child.Destroy();
            ObjectRelease.Release(child);
            return null;
        }

        private unsafe bool CopyPagesTo(AddressSpace<TMem, TTlb> child, Region r, bool copyPinnedEagerly,
                                        PendingCopy* pending, ref int waiting)
        {
            VirtualAddress from = r.Start;
            while (_table.NextMapped(from, r.End, out VirtualAddress page, out PageTableEntry pte))
            {
                bool ok = true;
                if (r.IsShared) ok = ShareFrame(child, page, pte.Frame, r.LeafFlags);
                else if (copyPinnedEagerly && _frames.IsPinned(pte.Frame))
                {
                    WriteProtectForCopy(page, pte, r.LeafFlags, ref pending[waiting++]);
                    if (waiting == EagerBatch) ok = CopyPending(child, pending, ref waiting);
                }
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
        private void WriteProtectForCopy(VirtualAddress page, PageTableEntry pte, PageFlags childFlags, ref PendingCopy p)
        {
            p.Page = page;
            p.Pte = pte;
            p.ChildFlags = childFlags;
            p.Protected = pte.IsWritable && !Sticky.Lib.TestSwitches.SkipEagerWriteProtect;
            if (p.Protected) _table.Protect(page, pte.Flags & ~PageFlags.Writable);
        }

        // One flush (every write-protect so far, pinned and COW), then each
        // pinned page is copied into the child and given back to the parent.
        // False on OOM; every parent PTE is restored either way.
        private unsafe bool CopyPending(AddressSpace<TMem, TTlb> child, PendingCopy* pending, ref int waiting)
        {
            if (waiting == 0) return true;
            _tlb.Flush();
            bool ok = true;
            for (int i = 0; i < waiting && ok; i++) ok = CopyOne(child, ref pending[i]);
            RestorePending(pending, ref waiting);
            return ok;
        }

        private bool CopyOne(AddressSpace<TMem, TTlb> child, ref PendingCopy p)
        {
            if (!_frames.TryAllocate(out FrameNumber copy)) return false;
            PhysicalMemory.CopyFrame(_mem, copy, p.Pte.Frame);
            MapResult m = child._table.Map(p.Page, copy, p.ChildFlags);
            if (m == MapResult.Mapped) { child._resident++; return true; }
            _frames.Free(copy);
            if (m == MapResult.AlreadyMapped) throw new System.InvalidOperationException("AddressSpace.Fork: child page mapped twice");
            return false;
        }

        // The parent gets its write permission back; no flush needed (Relax).
        private unsafe void RestorePending(PendingCopy* pending, ref int waiting)
        {
            for (int i = 0; i < waiting; i++)
                if (pending[i].Protected) _table.Relax(pending[i].Page, pending[i].Pte.Flags);
            waiting = 0;
        }
    }
}
