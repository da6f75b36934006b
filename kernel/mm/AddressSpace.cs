using System;

namespace Sticky.Mm
{
    public enum RegionResult
    {
        Ok,
        InvalidRange,   // unaligned, empty, wrapping, outside [UserStart, UserEnd), or past the backing object
        Overlaps,       // AddRegion: an existing region intersects the range
        NotMapped,      // ProtectRange: part of the range has no region (mprotect's ENOMEM); nothing changed
    }

    // A process's view of memory: the lower half of a page table plus the sorted
    // regions that say what may be mapped there.
    //
    // Invariants:
    //   regions are sorted by Start, non-overlapping, page aligned, inside [UserStart, UserEnd);
    //   every present lower-half page lies inside a region, with that region's
    //   LeafFlags (minus Writable, plus Cow, while copy-on-write);
    //   each stored Region holds one reference on its Backing.
    // Errors: bad ranges from user space are results (RegionResult); broken
    // invariants throw. Not locked: the kernel serialises callers (one lock per
    // address space, taken before the frame lock). TLB: every public operation
    // that changes or removes present entries has flushed them (ITlb.Flush) on
    // every CPU before it returns, and before it frees a frame it unmapped.
    //
    // No collector: Destroy returns everything this owns; the owner then
    // releases the AddressSpace object itself (ObjectRelease).
    //
    // Split by concern: fork in AddressSpaceFork.cs, placing new mappings in
    // AddressSpaceFreeRange.cs.
    public sealed partial class AddressSpace<TMem, TTlb>
        where TMem : struct, IPhysicalMemory
        where TTlb : struct, ITlb
    {
        private const int InitialRegionCapacity = 8;

        private readonly TMem _mem;
        private readonly TTlb _tlb;   // the page table has its own copy; fork hands this one to the child
        private readonly FrameTable _frames;
        private PageTable<TMem, TTlb> _table;
        private Region[] _regions = new Region[InitialRegionCapacity];
        private int _count;
        private ulong _resident;   // present lower-half leaves: counted where this class maps and unmaps them

        // Names the space for keys that must not outlive it by accident (private
        // futex keys under virtkey, as Linux keys by the mm): never reused, and
        // the same for every process sharing the space (a vfork child).
        private static ulong _lastId;
        public readonly ulong Id = ++_lastId;

        private AddressSpace(TMem mem, TTlb tlb, FrameTable frames, PageTable<TMem, TTlb> table)
        {
            _mem = mem; _tlb = tlb; _frames = frames; _table = table;
        }

        // An empty address space whose kernel half comes from the PML4 `kernelTemplate`
        // (FrameNumber.None: no kernel half). Null if no frame is left for the PML4.
        public static AddressSpace<TMem, TTlb> Create(TMem mem, TTlb tlb, FrameTable frames, FrameNumber kernelTemplate)
        {
            if (!PageTable<TMem, TTlb>.TryCreate(mem, tlb, frames, kernelTemplate, out PageTable<TMem, TTlb> table))
                return null;
            return new AddressSpace<TMem, TTlb>(mem, tlb, frames, table);
        }

        // Releases every frame (mapped pages, page-table pages, the PML4) and every
        // backing-object reference. The address space must not be live on any CPU.
        public void Destroy()
        {
            _table.Destroy();
            _resident = 0;
            for (int i = 0; i < _count; i++)
                if (_regions[i].IsShared) _regions[i].Backing.Release(_frames);
            _count = 0;
            ObjectRelease.Release(_regions);
            _regions = null;
        }

        public FrameNumber Root => _table.Root;
        public TTlb Tlb => _tlb;
        // The page table itself, for fork and diagnostics. Mapping or unmapping
        // through it behind this class's back puts ResidentPages off.
        public ref PageTable<TMem, TTlb> Table => ref _table;

        // Present user pages, kept up to date as pages are mapped and unmapped:
        // O(1), for fork's overcommit check and the OOM killer.
        public ulong ResidentPages => _resident;

        // The same counted by walking the page table (tests check the two agree).
        public ulong CountPresentPages()
        {
            ulong n = 0;
            VirtualAddress from = new VirtualAddress(Paging.UserStart);
            VirtualAddress end = new VirtualAddress(Paging.UserEnd);
            while (_table.NextMapped(from, end, out VirtualAddress page, out _))
            {
                n++;
                from = page + Paging.PageSize;
            }
            return n;
        }

        // ---- regions ----------------------------------------------------------

        public int RegionCount => _count;

        public Region RegionAt(int index)
        {
            if ((uint)index >= (uint)_count) throw new ArgumentException("AddressSpace.RegionAt: index out of range");
            return _regions[index];
        }

        public bool FindRegion(VirtualAddress va, out Region region)
        {
            int i = IndexOf(va);
            region = i < 0 ? default : _regions[i];
            return i >= 0;
        }

        // Private anonymous memory, zero-filled on first touch.
        public RegionResult AddRegion(VirtualAddress start, ulong length, Protection protection) =>
            Add(new Region(start, length, protection, null, 0));

        // A window of `length` bytes onto `backing`, from its page `backingPage`.
        // The region takes its own reference on `backing`.
        public RegionResult AddSharedRegion(VirtualAddress start, ulong length, Protection protection,
                                            SharedMemoryObject backing, ulong backingPage)
        {
            if (backing == null) throw new ArgumentException("AddressSpace.AddSharedRegion: no backing object");
            ulong pages = length >> Paging.PageShift;
            if (backingPage > backing.PageCount || pages > backing.PageCount - backingPage) return RegionResult.InvalidRange;
            return Add(new Region(start, length, protection, backing, backingPage));
        }

        private RegionResult Add(Region r)
        {
            if (!IsValidRange(r.Start, r.Length)) return RegionResult.InvalidRange;
            int i = FirstEndingAfter(r.Start);
            if (i < _count && _regions[i].Start < r.End) return RegionResult.Overlaps;
            Insert(i, r);
            if (r.IsShared) r.Backing.AddRef();
            return RegionResult.Ok;
        }

        // munmap: unmaps every page in the range and cuts it out of the regions,
        // splitting a region that straddles it. Holes in the range are fine.
        public RegionResult RemoveRange(VirtualAddress start, ulong length)
        {
            if (!IsValidRange(start, length)) return RegionResult.InvalidRange;
            VirtualAddress end = start + length;
            UnmapPages(start, end);

            int i = FirstEndingAfter(start);
            while (i < _count && _regions[i].Start < end)
            {
                Region r = _regions[i];
                bool keepLeft = r.Start < start, keepRight = r.End > end;
                if (keepLeft && keepRight)
                {
                    _regions[i] = r.Slice(r.Start, start);
                    Insert(i + 1, r.Slice(end, r.End));
                    r.Backing?.AddRef();   // two regions now share the backing
                    break;
                }
                if (keepLeft) { _regions[i] = r.Slice(r.Start, start); i++; }
                else if (keepRight) { _regions[i] = r.Slice(end, r.End); break; }
                else { RemoveAt(i); r.Backing?.Release(_frames); }
            }
            return RegionResult.Ok;
        }

        // mprotect: all of the range must be covered by regions, or nothing changes.
        // Splits regions at the range's ends and rewrites the flags of present pages.
        public RegionResult ProtectRange(VirtualAddress start, ulong length, Protection protection)
        {
            if (!IsValidRange(start, length)) return RegionResult.InvalidRange;
            VirtualAddress end = start + length;
            if (!IsCovered(start, end)) return RegionResult.NotMapped;
            SplitAt(start);
            SplitAt(end);
            for (int i = FirstEndingAfter(start); i < _count && _regions[i].Start < end; i++)
            {
                _regions[i] = _regions[i].WithProtection(protection);
                ReprotectPages(_regions[i]);
            }
            _tlb.Flush();   // no thread may keep writing a page just made read-only
            return RegionResult.Ok;
        }

        // ---- faults -----------------------------------------------------------

        // Resolves a page fault in the lower half, or says why it cannot. The PTE
        // read here decides, not what the CPU saw: it may have changed since
        // (another CPU resolved the same fault first).
        public FaultVerdict HandleFault(VirtualAddress va, bool isWrite, bool isUser, bool isExec)
        {
            FaultVerdict v = MakeAccessible(va, isWrite, isExec, out PageTableEntry pte);
            if (v != FaultVerdict.Handled) return v;
            // The region allows the access: if the PTE allows it too, the fault is
            // resolved (or was spurious); otherwise it is a real violation.
            return Allows(pte, isWrite, isUser, isExec) ? FaultVerdict.Handled : FaultVerdict.AccessViolation;
        }

        // Does to the page holding `va` what a user-mode access would (demand-zero,
        // shared commit, and for a write a COW break), through the same path as a
        // fault, and returns the frame now mapped there. For futex keys (a write
        // first, so the key is a frame only this process maps) and for the kernel
        // filling pages it has just mapped (ELF loading: in a space never forked,
        // a page resolved for reading is private to it, so a read-only segment
        // can be filled through the direct map).
        //
        // The frame is only guaranteed while the caller holds this address
        // space's lock: pin it or AddRef it before letting go.
        public FaultVerdict ResolvePage(VirtualAddress va, bool forWrite, out FrameNumber frame)
        {
            FaultVerdict v = MakeAccessible(va, forWrite, false, out PageTableEntry pte);
            if (v == FaultVerdict.Handled && !Allows(pte, forWrite, true, false)) v = FaultVerdict.AccessViolation;
            frame = v == FaultVerdict.Handled ? pte.Frame : FrameNumber.None;
            return v;
        }

        // As ResolvePage for reading, then a frame shared copy-on-write is broken
        // as a write would break it, whatever the region's protection: the frame
        // returned is this address space's alone (a read-only page gets its own
        // copy and stays read-only; a writable one becomes writable, as after a
        // write). For keys that name the frame (the sticky futex design): a
        // waiter queued on a frame another process maps could be woken by that
        // process, or left behind by a write of its own.
        public FaultVerdict ResolveOwnFrame(VirtualAddress va, out FrameNumber frame)
        {
            FaultVerdict v = MakeAccessible(va, false, false, out PageTableEntry pte);
            if (v == FaultVerdict.Handled && pte.IsCow) v = BreakCow(_regions[IndexOf(va)], va.PageBase, ref pte);
            if (v == FaultVerdict.Handled && !Allows(pte, false, true, false)) v = FaultVerdict.AccessViolation;
            frame = v == FaultVerdict.Handled ? pte.Frame : FrameNumber.None;
            return v;
        }

        // The one path for faults and ResolvePage: guards, then what the region
        // says to do with the page. On Handled, `pte` is the page's entry after the
        // change (present; writable if a write was asked for and allowed).
        private FaultVerdict MakeAccessible(VirtualAddress va, bool isWrite, bool isExec, out PageTableEntry pte)
        {
            pte = default;
            if (!va.IsUser) return FaultVerdict.NoRegion;
            int i = IndexOf(va);
            if (i < 0) return FaultVerdict.NoRegion;
            Region r = _regions[i];
            if (!r.Permits(isWrite, isExec)) return FaultVerdict.AccessViolation;

            VirtualAddress page = va.PageBase;
            _table.GetEntry(page, out pte);
            if (!pte.IsPresent)
            {
                FaultVerdict v = r.IsShared ? FaultInShared(r, page, out pte) : FaultInZero(r, page, out pte);
                if (v != FaultVerdict.Handled) return v;
            }
            if (isWrite && pte.IsCow) return BreakCow(r, page, ref pte);
            return FaultVerdict.Handled;
        }

        // Demand-zero: a fresh zeroed frame, mapped with the region's protection.
        // `pte` is the page's entry afterwards (also when it was already mapped).
        private FaultVerdict FaultInZero(Region r, VirtualAddress page, out PageTableEntry pte)
        {
            pte = default;
            if (!_frames.TryAllocate(out FrameNumber frame)) return FaultVerdict.OutOfMemory;
            PhysicalMemory.ZeroFrame(_mem, frame);
            MapResult m = _table.Map(page, frame, r.LeafFlags, out pte);
            if (m == MapResult.Mapped) _resident++;
            else _frames.Free(frame);
            return m == MapResult.OutOfMemory ? FaultVerdict.OutOfMemory : FaultVerdict.Handled;
        }

        // Shared: the backing object's frame for this page; the PTE gets its own reference.
        private FaultVerdict FaultInShared(Region r, VirtualAddress page, out PageTableEntry pte)
        {
            pte = default;
            if (!r.Backing.TryCommit(_mem, _frames, r.BackingPageOf(page), out FrameNumber frame))
                return FaultVerdict.OutOfMemory;
            _frames.AddRef(frame);
            MapResult m = _table.Map(page, frame, r.LeafFlags, out pte);
            if (m == MapResult.Mapped) _resident++;
            else _frames.Release(frame);
            return m == MapResult.OutOfMemory ? FaultVerdict.OutOfMemory : FaultVerdict.Handled;
        }

        // A write to a copy-on-write page: see Cow.Decide. On Handled, `pte` is
        // the entry written.
        private FaultVerdict BreakCow(Region r, VirtualAddress page, ref PageTableEntry pte)
        {
            FrameNumber old = pte.Frame;
            if (Cow.Decide(_frames.RefCountOf(old)) == CowDecision.Reuse)
            {
                _table.Protect(page, r.LeafFlags, out pte);
                return FaultVerdict.Handled;
            }
            if (!_frames.TryAllocate(out FrameNumber copy)) return FaultVerdict.OutOfMemory;
            PhysicalMemory.CopyFrame(_mem, copy, old);
            _table.Remap(page, copy, r.LeafFlags, out _, out pte);
            // Other threads of this process stop reading the old frame (they see
            // this write at once), and only then may it lose its last owner.
            _tlb.Flush();
            _frames.Release(old);
            return FaultVerdict.Handled;
        }

        private static bool Allows(PageTableEntry pte, bool isWrite, bool isUser, bool isExec)
        {
            if (isWrite && !pte.IsWritable) return false;
            if (isUser && !pte.IsUser) return false;
            if (isExec && !pte.IsExecutable) return false;
            return true;
        }

        // ---- internals --------------------------------------------------------

        private static bool IsValidRange(VirtualAddress start, ulong length)
        {
            if (!start.IsPageAligned || length == 0 || (length & Paging.PageMask) != 0) return false;
            ulong end = start.Value + length;
            return end > start.Value && start.Value >= Paging.UserStart && end <= Paging.UserEnd;
        }

        // The first region ending after `va` (regions are sorted, so their ends are too).
        private int FirstEndingAfter(VirtualAddress va)
        {
            int lo = 0, hi = _count;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (_regions[mid].End <= va) lo = mid + 1; else hi = mid;
            }
            return lo;
        }

        // The last region IndexOf found: faults and futex calls look up the same
        // region again and again. Never stale in a harmful way: a hint that no
        // longer contains `va` (regions changed) just falls back to the search.
        private int _lastHit;

        private int IndexOf(VirtualAddress va)
        {
            int h = _lastHit;
            if (h < _count && _regions[h].Start <= va && va < _regions[h].End) return h;
            int i = FirstEndingAfter(va);
            if (i >= _count || _regions[i].Start > va) return -1;
            _lastHit = i;
            return i;
        }

        private bool IsCovered(VirtualAddress start, VirtualAddress end)
        {
            VirtualAddress cursor = start;
            for (int i = FirstEndingAfter(start); cursor < end; i++)
            {
                if (i >= _count || _regions[i].Start > cursor) return false;
                cursor = _regions[i].End;
            }
            return true;
        }

        // Makes `va` a region boundary if it falls inside a region.
        private void SplitAt(VirtualAddress va)
        {
            int i = IndexOf(va);
            if (i < 0 || _regions[i].Start == va) return;
            Region r = _regions[i];
            _regions[i] = r.Slice(r.Start, va);
            Insert(i + 1, r.Slice(va, r.End));
            r.Backing?.AddRef();
        }

        // Beyond this many pages in one leaf table, one full invalidation is
        // cheaper than a page at a time (Linux's tlb_single_page_flush_ceiling).
        private const int SinglePageInvalidations = 32;

        // In page-table order: per leaf table, the entries are cleared, their
        // translations invalidated (each, or all at once for many) and flushed
        // (one shootdown round per leaf table), and then the frames released in
        // one frame-lock hold.
        private unsafe void UnmapPages(VirtualAddress start, VirtualAddress end)
        {
            FrameNumber* frames = stackalloc FrameNumber[PageTable<TMem, TTlb>.LeafEntries];
            ulong va = start.Value;
            while (va < end.Value)
            {
                PageTableEntry* table = _table.LeafTableOf(va, out ulong next);
                ulong stop = next < end.Value ? next : end.Value;
                if (table != null)
                {
                    int first = PageTable<TMem, TTlb>.LeafIndex(va), last = PageTable<TMem, TTlb>.LeafIndex(stop - 1);
                    int present = 0;
                    for (int i = first; i <= last; i++) if (table[i].IsPresent) present++;
                    bool each = present <= SinglePageInvalidations;
                    int n = 0;
                    for (int i = first; i <= last; i++)
                    {
                        if (!table[i].IsPresent) continue;
                        frames[n++] = table[i].Frame;
                        table[i] = default;
                        if (each) _tlb.InvalidatePage(new VirtualAddress(va + ((ulong)(i - first) << Paging.PageShift)));
                    }
                    if (!each) _tlb.InvalidateAll();
                    _resident -= (ulong)n;
                    _tlb.Flush();                    // on every CPU: a frame can be reused once released
                    _frames.ReleaseAll(frames, n);   // after the translations are gone
                }
                va = stop;
            }
        }

        // A page that is still copy-on-write stays read-only whatever the new
        // protection; the write fault decides whether to copy.
        private void ReprotectPages(Region r)
        {
            VirtualAddress from = r.Start;
            while (_table.NextMapped(from, r.End, out VirtualAddress page, out PageTableEntry pte))
            {
                PageFlags flags = r.LeafFlags;
                if (pte.IsCow) flags = (flags & ~PageFlags.Writable) | PageFlags.Cow;
                _table.Protect(page, flags);
                from = page + Paging.PageSize;
            }
        }

        private void Insert(int index, Region r)
        {
            if (_count == _regions.Length) Grow();
            for (int j = _count; j > index; j--) _regions[j] = _regions[j - 1];
            _regions[index] = r;
            _count++;
        }

        private void RemoveAt(int index)
        {
            for (int j = index; j < _count - 1; j++) _regions[j] = _regions[j + 1];
            _count--;
            _regions[_count] = default;
        }

        private void Grow()
        {
            Region[] bigger = new Region[_regions.Length * 2];
            for (int j = 0; j < _count; j++) bigger[j] = _regions[j];
            ObjectRelease.Release(_regions);
            _regions = bigger;
        }
    }
}
