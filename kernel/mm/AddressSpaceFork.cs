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
    //
    // In page-table order: one descent per leaf table (512 pages), the parent's
    // entries write-protected in place, the child's leaf table filled directly,
    // the references added in one frame-lock hold per leaf table, and one TLB
    // flush (one round of shootdown IPIs) for the whole fork, pinned pages
    // included (docs/memory.md says why that is enough).
    public sealed unsafe partial class AddressSpace<TMem, TTlb>
    {
        // The child, or null when frames run out: then the partial child has been
        // destroyed and every frame and reference it took is back. Parent PTEs
        // already turned Cow stay so; that is harmless (a write on a frame with a
        // single owner just makes it writable again).
        //
        // The caller holds the parent's lock. Before fork returns, every write-
        // protect of the parent has been flushed from every CPU: no thread of the
        // parent can still write a page the child maps.
        public AddressSpace<TMem, TTlb> Fork(bool copyPinnedEagerly) => Fork(copyPinnedEagerly, _tlb);

        // `childTlb`: the child's own (the kernel's tracks which CPUs run each space).
        public AddressSpace<TMem, TTlb> Fork(bool copyPinnedEagerly, TTlb childTlb)
        {
            // The parent's kernel half is the kernel template's, so its PML4 serves as the template.
            AddressSpace<TMem, TTlb> child = Create(_mem, childTlb, _frames, _table.Root);
            if (child == null) return null;
            child.CopyRegionsOf(this);
            bool writeProtected = false, ok = true;
            FrameNumber* refs = stackalloc FrameNumber[PageTable<TMem, TTlb>.LeafEntries];   // one leaf table's batch
            PendingCopy* pending = stackalloc PendingCopy[EagerBatch];
            int waiting = 0;
            for (int i = 0; i < _count && ok; i++)
                ok = CopyPagesTo(child, _regions[i], copyPinnedEagerly, refs, pending, ref waiting, ref writeProtected);
            if (ok) ok = CopyPending(child, pending, ref waiting, ref writeProtected);
            else RestorePending(pending, ref waiting);
            // Until here the parent may still hold writable translations of pages
            // it now shares (only threads of the parent: the child runs nowhere yet).
            FlushParent(ref writeProtected);
            if (ok) return child;
            child.Destroy();
            ObjectRelease.Release(child);
            return null;
        }

        private void FlushParent(ref bool writeProtected)
        {
            if (writeProtected) _tlb.InvalidateAll();
            _tlb.Flush();
            writeProtected = false;
        }

        // The parent's regions, in one array of the parent's capacity: growing
        // it region by region costs a reallocation at every doubling, and a
        // process with many threads (two regions per stack) has hundreds.
        private void CopyRegionsOf(AddressSpace<TMem, TTlb> parent)
        {
            if (_regions.Length < parent._count)
            {
                ObjectRelease.Release(_regions);
                _regions = new Region[parent._regions.Length];
            }
            for (int i = 0; i < parent._count; i++)
            {
                _regions[i] = parent._regions[i];
                parent._regions[i].Backing?.AddRef();
            }
            _count = parent._count;
        }

        private bool CopyPagesTo(AddressSpace<TMem, TTlb> child, Region r, bool copyPinnedEagerly, FrameNumber* refs,
                                 PendingCopy* pending, ref int waiting, ref bool writeProtected)
        {
            ulong va = r.Start.Value, end = r.End.Value;
            while (va < end)
            {
                PageTableEntry* from = _table.LeafTableOf(va, out ulong next);
                ulong stop = next < end ? next : end;
                if (from != null &&
                    !CopyLeaf(child, r, from, va, stop, copyPinnedEagerly, refs, pending, ref waiting, ref writeProtected))
                    return false;
                va = stop;
            }
            return true;
        }

        // The pages of [va, stop), all under the parent's leaf table `from`. The
        // child's leaf table is made at the first present page, so a failed
        // fork has allocated exactly what the pages so far needed.
        private bool CopyLeaf(AddressSpace<TMem, TTlb> child, Region r, PageTableEntry* from, ulong va, ulong stop,
                              bool copyPinnedEagerly, FrameNumber* refs, PendingCopy* pending, ref int waiting,
                              ref bool writeProtected)
        {
            const PageFlags HardwareBits = PageFlags.Accessed | PageFlags.Dirty;
            PageFlags cow = (r.LeafFlags & ~PageFlags.Writable) | PageFlags.Cow;
            ulong tableBase = va & ~(PageTable<TMem, TTlb>.LeafSpan - 1);
            PageTableEntry* to = null;
            int shared = 0, mapped = 0;
            bool ok = true;
            for (int i = PageTable<TMem, TTlb>.LeafIndex(va), last = PageTable<TMem, TTlb>.LeafIndex(stop - 1); i <= last; i++)
            {
                PageTableEntry e = from[i];
                if (!e.IsPresent) continue;
                if (to == null && (to = child._table.LeafTableFor(new VirtualAddress(tableBase))) == null) { ok = false; break; }
                if (to[i].IsPresent) throw new System.InvalidOperationException("AddressSpace.Fork: child page mapped twice");
                if (r.IsShared)
                {
                    to[i] = new PageTableEntry(e.Frame, r.LeafFlags);
                    refs[shared++] = e.Frame;
                    mapped++;
                }
                else if (copyPinnedEagerly && _frames.IsPinned(e.Frame))
                {
                    var page = new VirtualAddress(tableBase + ((ulong)i << Paging.PageShift));
                    WriteProtectForCopy(from + i, to + i, page, r.LeafFlags, ref pending[waiting++]);
                    if (waiting == EagerBatch && !CopyPending(child, pending, ref waiting, ref writeProtected)) { ok = false; break; }
                }
                else
                {
                    // Write-protected before the child maps the frame; the
                    // parent's stale writable translation goes with the fork's one flush.
                    if (e.IsWritable || !e.IsCow)
                    {
                        from[i] = new PageTableEntry(e.Frame, cow | (e.Flags & HardwareBits));
                        writeProtected = true;
                    }
                    to[i] = new PageTableEntry(e.Frame, cow);
                    refs[shared++] = e.Frame;
                    mapped++;
                }
            }
            // Also after a failure: every entry written in the child owns its
            // reference, so the child's Destroy gives back exactly these.
            _frames.AddRefs(refs, shared);
            child._resident += (ulong)mapped;
            return ok;
        }

        // ---- the eager copy of pinned pages ---------------------------------

        // Pinned pages found by the walk, write-protected and waiting for their
        // copy: copied a batch at a time after one flush, which also takes the
        // COW write-protects so far. A fork with up to EagerBatch pinned pages
        // costs one flush in all; each further batch one more.
        private const int EagerBatch = 16;

        private struct PendingCopy
        {
            public PageTableEntry* Parent, Child;   // the entries in the two leaf tables (fixed during fork)
            public PageTableEntry Original;         // the parent's entry before the write-protect
            public bool Protected;
            public PageFlags ChildFlags;
        }

        // The parent's PTE is read-only, and flushed from every CPU, while the
        // copy is made, so no thread of the parent (on another CPU, through a
        // stale TLB entry) can change the page half-way through; one that tries
        // faults and waits for the parent's lock, which fork holds. Then the
        // parent gets back exactly what it had.
        private void WriteProtectForCopy(PageTableEntry* parent, PageTableEntry* child, VirtualAddress page,
                                         PageFlags childFlags, ref PendingCopy p)
        {
            p.Parent = parent;
            p.Child = child;
            p.Original = *parent;
            p.ChildFlags = childFlags;
            p.Protected = p.Original.IsWritable && !Sticky.Lib.TestSwitches.SkipEagerWriteProtect;
            if (!p.Protected) return;
            *parent = new PageTableEntry(p.Original.Raw & ~(ulong)PageFlags.Writable);
            _tlb.InvalidatePage(page);
        }

        // One flush, then each pinned page is copied into the child and given
        // back to the parent. False on OOM; every parent PTE is restored either way.
        private bool CopyPending(AddressSpace<TMem, TTlb> child, PendingCopy* pending, ref int waiting, ref bool writeProtected)
        {
            if (waiting == 0) return true;
            FlushParent(ref writeProtected);
            bool ok = true;
            for (int i = 0; i < waiting && ok; i++)
            {
                ok = _frames.TryAllocate(out FrameNumber copy);
                if (!ok) break;
                PhysicalMemory.CopyFrame(_mem, copy, pending[i].Original.Frame);
                *pending[i].Child = new PageTableEntry(copy, pending[i].ChildFlags);   // a private page of its own: not Cow
                child._resident++;
            }
            RestorePending(pending, ref waiting);
            return ok;
        }

        // The parent gets its write permission back, and the Accessed/Dirty bits
        // the CPU set meanwhile. No flush: a more permissive entry needs none.
        private void RestorePending(PendingCopy* pending, ref int waiting)
        {
            const ulong HardwareBits = (ulong)(PageFlags.Accessed | PageFlags.Dirty);
            for (int i = 0; i < waiting; i++)
                if (pending[i].Protected)
                    *pending[i].Parent = new PageTableEntry(pending[i].Original.Raw | (pending[i].Parent->Raw & HardwareBits));
            waiting = 0;
        }
    }
}
