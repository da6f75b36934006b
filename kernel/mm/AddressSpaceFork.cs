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
    // invalidation for the whole fork (docs/memory.md says why that is enough).
    public sealed unsafe partial class AddressSpace<TMem, TTlb>
    {
        // The child, or null when frames run out: then the partial child has been
        // destroyed and every frame and reference it took is back. Parent PTEs
        // already turned Cow stay so; that is harmless (a write on a frame with a
        // single owner just makes it writable again).
        //
        // The parent must be the address space loaded on this CPU (or on none):
        // its write-protected PTEs are invalidated through TTlb, which acts on the
        // current CPU. The caller holds the parent's lock.
        public AddressSpace<TMem, TTlb> Fork(bool copyPinnedEagerly)
        {
            // The parent's kernel half is the kernel template's, so its PML4 serves as the template.
            AddressSpace<TMem, TTlb> child = Create(_mem, _tlb, _frames, _table.Root);
            if (child == null) return null;
            child.CopyRegionsOf(this);
            bool writeProtected = false, ok = true;
            FrameNumber* refs = stackalloc FrameNumber[PageTable<TMem, TTlb>.LeafEntries];   // one leaf table's batch
            for (int i = 0; i < _count && ok; i++)
                ok = CopyPagesTo(child, _regions[i], copyPinnedEagerly, refs, ref writeProtected);
            // Until here the parent may still hold writable translations of pages
            // it now shares; nothing of the parent runs before this on this CPU
            // (fork holds its space lock with interrupts off), and the child not
            // at all. The eager copies did not wait for this: see CopyEagerly.
            if (writeProtected) _tlb.InvalidateAll();
            if (ok) return child;
            child.Destroy();
            ObjectRelease.Release(child);
            return null;
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
                                 ref bool writeProtected)
        {
            ulong va = r.Start.Value, end = r.End.Value;
            while (va < end)
            {
                PageTableEntry* from = _table.LeafTableOf(va, out ulong next);
                ulong stop = next < end ? next : end;
                if (from != null && !CopyLeaf(child, r, from, va, stop, copyPinnedEagerly, refs, ref writeProtected))
                    return false;
                va = stop;
            }
            return true;
        }

        // The pages of [va, stop), all under the parent's leaf table `from`. The
        // child's leaf table is made at the first present page, so a failed
        // fork has allocated exactly what the pages so far needed.
        private bool CopyLeaf(AddressSpace<TMem, TTlb> child, Region r, PageTableEntry* from, ulong va, ulong stop,
                              bool copyPinnedEagerly, FrameNumber* refs, ref bool writeProtected)
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
                }
                else if (copyPinnedEagerly && _frames.IsPinned(e.Frame))
                {
                    var page = new VirtualAddress(tableBase + ((ulong)i << Paging.PageShift));
                    if (!CopyEagerly(from + i, to + i, page, r)) { ok = false; break; }
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
                }
                mapped++;
            }
            // Also after a failure: every entry written in the child owns its
            // reference, so the child's Destroy gives back exactly these.
            _frames.AddRefs(refs, shared);
            child._resident += (ulong)mapped;
            return ok;
        }

        // The parent's PTE is read-only while the copy is made, and its TLB entry
        // invalidated at once (not at the fork's end), so no thread of the parent
        // (on another CPU, through a stale TLB entry) can change the page half-way
        // through; then it gets back exactly what it had. The child's entry is a
        // private page of its own: the region's flags, not Cow.
        private bool CopyEagerly(PageTableEntry* parent, PageTableEntry* child, VirtualAddress page, Region r)
        {
            if (!_frames.TryAllocate(out FrameNumber copy)) return false;
            PageTableEntry e = *parent;
            bool wasWritable = e.IsWritable;
            if (wasWritable)
            {
                *parent = new PageTableEntry(e.Raw & ~(ulong)PageFlags.Writable);
                _tlb.InvalidatePage(page);
            }
            PhysicalMemory.CopyFrame(_mem, copy, e.Frame);
            if (wasWritable)
            {
                // Also invalidated: a read-only translation cached meanwhile
                // would cost the parent a spurious fault.
                *parent = new PageTableEntry(e.Raw | (parent->Raw & (ulong)(PageFlags.Accessed | PageFlags.Dirty)));
                _tlb.InvalidatePage(page);
            }
            *child = new PageTableEntry(copy, r.LeafFlags);
            return true;
        }
    }
}
