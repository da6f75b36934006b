using System;

namespace Sticky.Mm
{
    // The physical frame allocator and the owner of every frame's metadata:
    // state, reference count (sharing), pin count and free-list links.
    //
    // Invariants:
    //   Free     <=> on the free list, RefCount == 0, PinCount == 0
    //   Used     =>  RefCount >= 1, or RefCount == 0 with PinCount >= 1 (an
    //                orphan: its last owner let go while pinned; freed at last Unpin)
    //   Reserved =>  never allocated, counted, referenced or pinned
    //   frame 0 is always Reserved, so a zero frame number never names a live frame.
    //
    // Errors: running out of frames is a result (TryAllocate returns false).
    // Misuse is a bug and throws InvalidOperationException (a panic in the
    // kernel): double free, freeing or releasing what is not Used, referencing a
    // free frame, freeing a pinned frame, unpinning below zero.
    //
    // Locking: every public mutation runs under the frame lock, a partial
    // hook implemented by the kernel (KernelFrameLock.cs: an IRQ-safe spin
    // lock, since syscalls run with interrupts on and page faults allocate
    // from interrupt context) and compiled away on the host.
    public sealed unsafe partial class FrameTable
    {
        static partial void Lock(ref ulong state);
        static partial void Unlock(ulong state);

        private const uint NoFrame = uint.MaxValue;
        private const ushort MaxPins = 0xFFFF;

        private readonly FrameInfo* _info;
        private readonly ulong _count;
        private uint _freeHead = NoFrame;

        public ulong FreeFrames { get; private set; }
        public ulong UsedFrames { get; private set; }
        public ulong SharedFrames { get; private set; }   // RefCount > 1
        public ulong PinnedFrames { get; private set; }   // PinCount > 0
        public ulong FrameCount => _count;                // covered by the table, holes included

        // `metadata` points at FrameTableLayout.MetadataBytes(frameCount) bytes of
        // RAM at `metadataPhysical` (which this reserves itself). Every frame
        // starts Reserved; whole frames inside a usable range become Free unless
        // they touch a reserved range (ranges are rounded in the safe direction).
        public FrameTable(FrameInfo* metadata, PhysicalAddress metadataPhysical, ulong frameCount,
                          PhysicalRange* usable, int usableCount, PhysicalRange* reserved, int reservedCount)
        {
            if (frameCount >= NoFrame) throw new ArgumentException("FrameTable: more frames than a uint link can name");
            _info = metadata;
            _count = frameCount;
            for (ulong f = 0; f < frameCount; f++) _info[f] = default;

            for (int i = 0; i < usableCount; i++)
                SetRange(Paging.AlignUp(usable[i].Base.Value), Paging.AlignDown(usable[i].End), FrameState.Free);
            for (int i = 0; i < reservedCount; i++)
                SetRange(Paging.AlignDown(reserved[i].Base.Value), Paging.AlignUp(reserved[i].End), FrameState.Reserved);
            ulong metaStart = Paging.AlignDown(metadataPhysical.Value);
            SetRange(metaStart, Paging.AlignUp(metadataPhysical.Value + FrameTableLayout.MetadataBytes(frameCount)), FrameState.Reserved);
            if (frameCount > 0) _info[0].State = FrameState.Reserved;

            // Push from the top so the lowest frame is handed out first: a
            // deterministic order that tests and boot logs can rely on.
            for (ulong f = frameCount; f > 0; f--)
                if (_info[f - 1].State == FrameState.Free) Push((uint)(f - 1));
        }

        private void SetRange(ulong start, ulong end, FrameState state)
        {
            ulong last = end >> Paging.PageShift;
            if (last > _count) last = _count;
            for (ulong f = start >> Paging.PageShift; f < last; f++) _info[f].State = state;
        }

        // ---- allocation -------------------------------------------------------

        // Frames only TryAllocateReserved may take: the kernel heap's last
        // resort, so that user memory running out is an ENOMEM, never a kernel
        // allocation failure (which would panic).
        public ulong ReserveFloor;

        // O(1). The frame comes back Used with RefCount 1 and unspecified contents.
        // Fails when only the reserve is left.
        public bool TryAllocate(out FrameNumber frame) => Allocate(ReserveFloor, out frame);

        // May dip into the reserve (the kernel heap only).
        public bool TryAllocateReserved(out FrameNumber frame) => Allocate(0, out frame);

        private bool Allocate(ulong floor, out FrameNumber frame)
        {
            ulong state = 0;
            Lock(ref state);
            bool ok = FreeFrames > floor && _freeHead != NoFrame;
            uint f = _freeHead;
            if (ok) { Unlink(f); MarkUsed(f); }
            Unlock(state);
            frame = ok ? new FrameNumber(f) : FrameNumber.None;
            return ok;
        }

        // Slow path (a scan of the table): `count` physically contiguous frames,
        // the first a multiple of `alignFrames` (1 for none). Each frame is then an
        // ordinary Used frame with RefCount 1; free them one by one.
        public bool TryAllocateContiguous(ulong count, ulong alignFrames, out FrameNumber first)
        {
            first = FrameNumber.None;
            if (count == 0 || alignFrames == 0) return false;
            ulong state = 0;
            Lock(ref state);
            ulong start = alignFrames;   // frame 0 is never free; the first aligned candidate after it
            while (start + count <= _count)
            {
                ulong blocked = FirstNotFree(start, count);
                if (blocked == ulong.MaxValue)
                {
                    for (ulong f = start; f < start + count; f++) { Unlink((uint)f); MarkUsed((uint)f); }
                    first = new FrameNumber(start);
                    break;
                }
                start = (blocked / alignFrames + 1) * alignFrames;
            }
            Unlock(state);
            return !first.IsNone;
        }

        private ulong FirstNotFree(ulong start, ulong count)
        {
            for (ulong f = start; f < start + count; f++)
                if (_info[f].State != FrameState.Free) return f;
            return ulong.MaxValue;
        }

        // Frees a frame that has exactly one owner, the caller. For frames that may
        // be shared use Release.
        public void Free(FrameNumber frame)
        {
            ulong state = 0;
            Lock(ref state);
            FrameInfo* fi = UsedInfo(frame, "FrameTable.Free: frame is not in use (double free?)");
            if (fi->PinCount != 0) throw new InvalidOperationException("FrameTable.Free: frame is pinned");
            if (fi->RefCount != 1) throw new InvalidOperationException("FrameTable.Free: frame has other owners");
            fi->RefCount = 0;
            MakeFree((uint)frame.Value);
            Unlock(state);
        }

        // ---- sharing ----------------------------------------------------------

        public void AddRef(FrameNumber frame)
        {
            ulong state = 0;
            Lock(ref state);
            AddRefLocked(frame);
            Unlock(state);
        }

        // Drops one owner. Returns true if that freed the frame. The last owner
        // leaving a pinned frame does not free it: it stays Used, ownerless, until
        // the last Unpin (a futex waiter must not find its frame reused).
        public bool Release(FrameNumber frame)
        {
            ulong state = 0;
            Lock(ref state);
            bool freed = ReleaseLocked(frame);
            Unlock(state);
            return freed;
        }

        // AddRef and Release for a batch (a leaf table's worth: fork, teardown,
        // munmap), under one hold of the frame lock instead of one per frame.
        public void AddRefs(FrameNumber* frames, int count)
        {
            ulong state = 0;
            Lock(ref state);
            for (int i = 0; i < count; i++) AddRefLocked(frames[i]);
            Unlock(state);
        }

        public void ReleaseAll(FrameNumber* frames, int count)
        {
            ulong state = 0;
            Lock(ref state);
            for (int i = 0; i < count; i++) ReleaseLocked(frames[i]);
            Unlock(state);
        }

        private void AddRefLocked(FrameNumber frame)
        {
            FrameInfo* fi = UsedInfo(frame, "FrameTable.AddRef: frame is not in use");
            if (fi->RefCount == 0) throw new InvalidOperationException("FrameTable.AddRef: frame has no owner left");
            if (fi->RefCount == uint.MaxValue) throw new InvalidOperationException("FrameTable.AddRef: reference count overflow");
            if (++fi->RefCount == 2) SharedFrames++;
        }

        private bool ReleaseLocked(FrameNumber frame)
        {
            FrameInfo* fi = UsedInfo(frame, "FrameTable.Release: frame is not in use (double free?)");
            if (fi->RefCount == 0) throw new InvalidOperationException("FrameTable.Release: frame has no owner left");
            if (--fi->RefCount == 1) SharedFrames--;
            bool freed = fi->RefCount == 0 && fi->PinCount == 0;
            if (freed) MakeFree((uint)frame.Value);
            return freed;
        }

        // ---- pinning ----------------------------------------------------------

        // A pin is not an owner: it keeps the frame from being freed or moved (COW
        // copies away from it, never it away from its pinners) but does not count
        // in RefCount, so a private page with a waiter still reads as unshared.
        public void Pin(FrameNumber frame)
        {
            ulong state = 0;
            Lock(ref state);
            FrameInfo* fi = UsedInfo(frame, "FrameTable.Pin: frame is not in use");
            if (fi->RefCount == 0) throw new InvalidOperationException("FrameTable.Pin: frame has no owner left");
            if (fi->PinCount == MaxPins) throw new InvalidOperationException("FrameTable.Pin: pin count overflow");
            if (fi->PinCount++ == 0) PinnedFrames++;
            Unlock(state);
        }

        // Returns true if this was the last pin of an ownerless frame, which frees it.
        public bool Unpin(FrameNumber frame)
        {
            ulong state = 0;
            Lock(ref state);
            FrameInfo* fi = UsedInfo(frame, "FrameTable.Unpin: frame is not in use");
            if (fi->PinCount == 0) throw new InvalidOperationException("FrameTable.Unpin: frame is not pinned");
            bool freed = false;
            if (--fi->PinCount == 0)
            {
                PinnedFrames--;
                freed = fi->RefCount == 0;
                if (freed) MakeFree((uint)frame.Value);
            }
            Unlock(state);
            return freed;
        }

        // ---- queries ----------------------------------------------------------

        public FrameState StateOf(FrameNumber frame) => Info(frame)->State;
        // Under the frame lock: ordered against every AddRef and Release (a COW
        // decision reads it; docs/locking.md says why that is enough).
        public uint RefCountOf(FrameNumber frame)
        {
            ulong state = 0;
            Lock(ref state);
            uint count = Info(frame)->RefCount;
            Unlock(state);
            return count;
        }
        public uint PinCountOf(FrameNumber frame) => Info(frame)->PinCount;
        public bool IsPinned(FrameNumber frame) => Info(frame)->PinCount != 0;

        // ---- internals --------------------------------------------------------

        private FrameInfo* Info(FrameNumber frame)
        {
            if (frame.Value >= _count) throw new InvalidOperationException("FrameTable: frame number outside the table");
            return _info + frame.Value;
        }

        private FrameInfo* UsedInfo(FrameNumber frame, string bug)
        {
            FrameInfo* fi = Info(frame);
            if (fi->State != FrameState.Used) throw new InvalidOperationException(bug);
            return fi;
        }

        private void MarkUsed(uint f)
        {
            _info[f].State = FrameState.Used;
            _info[f].RefCount = 1;
            _info[f].PinCount = 0;
            FreeFrames--;
            UsedFrames++;
        }

        private void MakeFree(uint f)
        {
            UsedFrames--;
            Push(f);
        }

        private void Push(uint f)
        {
            FrameInfo* fi = _info + f;
            fi->State = FrameState.Free;
            fi->RefCount = 0;
            fi->PinCount = 0;
            fi->Prev = NoFrame;
            fi->Next = _freeHead;
            if (_freeHead != NoFrame) _info[_freeHead].Prev = f;
            _freeHead = f;
            FreeFrames++;
        }

        private void Unlink(uint f)
        {
            FrameInfo* fi = _info + f;
            if (fi->Prev != NoFrame) _info[fi->Prev].Next = fi->Next; else _freeHead = fi->Next;
            if (fi->Next != NoFrame) _info[fi->Next].Prev = fi->Prev;
            fi->Next = fi->Prev = NoFrame;
        }
    }
}
