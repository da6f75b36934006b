using System;

namespace Sticky.Mm
{
    // The backing of shared mappings (MAP_SHARED anonymous memory, later shm and
    // files): one frame per page, committed zeroed on first touch, so every
    // address space mapping it reaches the same frames. Also the identity of a
    // shared futex: (object, page, offset) names the same word in every process.
    //
    // Counted twice over: the object is referenced by the regions that map it
    // (plus its creator), and each committed frame is owned once by the object
    // and once more by every PTE that maps it.
    //
    // Locking: processes that map one object change it under their own space
    // locks, so its count and its frame array are guarded by the shared-memory
    // lock, a partial hook the kernel implements (KernelSharedMemoryLock.cs: one
    // IRQ-safe spin lock for all objects, taken inside a space lock and
    // outside the frame lock) and the host compiles away.
    public sealed partial class SharedMemoryObject
    {
        static partial void Lock(ref ulong state);
        static partial void Unlock(ulong state);

        private FrameNumber[] _frames;            // FrameNumber.None until committed
        private uint _refCount = 1;               // the creator's reference
        private static long _lastId;

        // Never reused (unlike the object's address): a shared futex key names
        // the object by it while waiters sleep. Atomic: two CPUs may create
        // objects at once, and equal ids would make their futexes meet.
        public readonly ulong Id = (ulong)System.Threading.Interlocked.Increment(ref _lastId);

        public SharedMemoryObject(ulong pageCount)
        {
            if (pageCount == 0 || pageCount > int.MaxValue) throw new ArgumentException("SharedMemoryObject: bad page count");
            _frames = new FrameNumber[(int)pageCount];
            for (int i = 0; i < _frames.Length; i++) _frames[i] = FrameNumber.None;
        }

        public ulong PageCount => (ulong)_frames.Length;
        public uint RefCount => _refCount;

        public FrameNumber FrameOf(ulong page)
        {
            ulong state = 0;
            Lock(ref state);
            FrameNumber frame = _frames[CheckedIndex(page)];
            Unlock(state);
            return frame;
        }

        public void AddRef()
        {
            ulong state = 0;
            Lock(ref state);
            if (_refCount == 0) throw new InvalidOperationException("SharedMemoryObject.AddRef: object is dead");
            _refCount++;
            Unlock(state);
        }

        // Dropping the last reference releases the object's frames (a frame still
        // mapped somewhere lives on through its PTE's reference) and the object.
        public void Release(FrameTable frames)
        {
            ulong state = 0;
            Lock(ref state);
            if (_refCount == 0) throw new InvalidOperationException("SharedMemoryObject.Release: object is already dead");
            bool last = --_refCount == 0;
            Unlock(state);
            if (!last) return;
            // The last reference: nobody else can reach the object any more.
            for (int i = 0; i < _frames.Length; i++)
            {
                if (_frames[i].IsNone) continue;
                frames.Release(_frames[i]);
                _frames[i] = FrameNumber.None;
            }
            ObjectRelease.Release(_frames);
            ObjectRelease.Release(this);
        }

        // Makes room for `pageCount` pages (a growing RAM-filesystem file, a
        // mapping past its end); never shrinks, so no region can outlive its pages.
        public void Grow(ulong pageCount)
        {
            if (pageCount <= (ulong)_frames.Length) return;
            if (pageCount > int.MaxValue) throw new ArgumentException("SharedMemoryObject.Grow: bad page count");
            var bigger = new FrameNumber[(int)pageCount];
            for (int i = 0; i < bigger.Length; i++) bigger[i] = FrameNumber.None;
            ulong state = 0;
            Lock(ref state);   // a fault in a mapping of the object may be committing a page meanwhile
            for (int i = 0; i < _frames.Length; i++) bigger[i] = _frames[i];
            FrameNumber[] old = _frames;
            _frames = bigger;
            Unlock(state);
            ObjectRelease.Release(old);
        }

        // Lets go of the object's frames from `page` on (a file truncated): the
        // pages read as zero again; a frame still mapped lives on through its PTE.
        public void Drop(FrameTable frames, ulong page)
        {
            ulong state = 0;
            Lock(ref state);
            for (int i = page < (ulong)_frames.Length ? (int)page : _frames.Length; i < _frames.Length; i++)
            {
                if (_frames[i].IsNone) continue;
                frames.Release(_frames[i]);
                _frames[i] = FrameNumber.None;
            }
            Unlock(state);
        }

        // The frame behind `page`, allocated and zeroed on first use. The object
        // keeps its reference; a mapper AddRefs for its PTE. False on OOM.
        public bool TryCommit<TMem>(TMem mem, FrameTable frames, ulong page, out FrameNumber frame)
            where TMem : struct, IPhysicalMemory
        {
            int i = CheckedIndex(page);
            ulong state = 0;
            Lock(ref state);
            bool ok = true;
            if (_frames[i].IsNone)
            {
                // Two processes faulting the same page at once commit one frame.
                ok = frames.TryAllocate(out FrameNumber fresh);
                if (ok)
                {
                    PhysicalMemory.ZeroFrame(mem, fresh);
                    _frames[i] = fresh;
                }
            }
            frame = ok ? _frames[i] : FrameNumber.None;
            Unlock(state);
            return ok;
        }

        private int CheckedIndex(ulong page)
        {
            if (page >= (ulong)_frames.Length) throw new InvalidOperationException("SharedMemoryObject: page outside the object");
            return (int)page;
        }
    }
}
