namespace Sticky.Mm
{
    // Supplies page-aligned, zeroed runs of 4 KiB pages to the heap.
    public unsafe interface IPageSource
    {
        byte* AllocatePages(int count);
        void FreePages(byte* pages, int count);
    }

    // The kernel heap: size classes of up to 2 KiB carved from one-page slabs,
    // larger blocks as whole page runs. Every block can be freed, and a slab
    // whose objects are all free goes back to the page source (one empty slab
    // per class is kept to avoid thrashing), so churn cannot grow the heap
    // without bound. The owner of a block is found from its address: slabs and
    // large runs are page-aligned with a header at the start of their first page.
    // Not thread-safe: the kernel wraps it in a lock (KernelHeap).
    public unsafe struct SlabHeap<TPages> where TPages : struct, IPageSource
    {
        public const int PageSize = 4096;
        public const int HeaderSize = 64;          // >= sizeof(Slab), a multiple of 16
        public const int ClassCount = 14;
        private const ushort LargeClass = 0xFFFF;
        private const uint HeaderMagic = 0x51AB;

        // One page's header. Free objects in a slab form a singly linked list
        // through their first word.
        private struct Slab
        {
            public ushort SizeClass;     // index, or LargeClass
            public ushort Magic;
            public int FreeCount;        // objects free in this slab
            public int Pages;            // large runs: length in pages
            public byte* FreeList;
            public Slab* Next, Prev;     // the class's list of slabs with free space
        }

        private TPages _pages;
        private fixed ulong _partial[ClassCount];   // Slab* per class (slabs with free objects)
        private fixed ulong _empty[ClassCount];     // Slab* per class (one cached empty slab)
        private long _bytesInUse, _pagesHeld, _allocations, _frees;

        // default(SlabHeap) is an empty heap too (the kernel's static one is never constructed).
        public SlabHeap(TPages pages)
        {
            if (sizeof(Slab) > HeaderSize) throw new System.InvalidOperationException("heap: slab header outgrew HeaderSize");
            this = default;
            _pages = pages;
        }

        public long BytesInUse => _bytesInUse;
        public long PagesHeld => _pagesHeld;
        public long Allocations => _allocations;
        public long Frees => _frees;

        public static int ClassSize(int index)
        {
            switch (index)
            {
                case 0: return 16; case 1: return 32; case 2: return 48; case 3: return 64;
                case 4: return 96; case 5: return 128; case 6: return 192; case 7: return 256;
                case 8: return 384; case 9: return 512; case 10: return 768; case 11: return 1024;
                case 12: return 1344; default: return 2016;
            }
        }

        private static int ClassFor(ulong size)
        {
            for (int i = 0; i < ClassCount; i++) if (size <= (ulong)ClassSize(i)) return i;
            return -1;
        }

        // Zeroed, 16-byte aligned, or null when the page source is exhausted.
        public void* Allocate(ulong size)
        {
            if (size == 0) size = 1;
            int c = ClassFor(size);
            void* p = c < 0 ? AllocateLarge(size) : AllocateSmall(c);
            if (p != null) _allocations++;
            return p;
        }

        public void Free(void* block)
        {
            if (block == null) return;
            Slab* s = SlabOf(block);
            if (s->Magic != HeaderMagic) throw new System.InvalidOperationException("heap: free of a pointer the heap does not own");
            _frees++;
            if (s->SizeClass == LargeClass) { FreeLarge(s); return; }
            FreeSmall(s, (byte*)block);
        }

        // Size of the block `block` was allocated in (its class size or large-run capacity).
        public ulong BlockSize(void* block)
        {
            Slab* s = SlabOf(block);
            return s->SizeClass == LargeClass ? (ulong)s->Pages * PageSize - HeaderSize : (ulong)ClassSize(s->SizeClass);
        }

        private static Slab* SlabOf(void* block) => (Slab*)((ulong)block & ~(ulong)(PageSize - 1));

        private void* AllocateSmall(int c)
        {
            Slab* s = (Slab*)_partial[c];
            if (s == null)
            {
                s = (Slab*)_empty[c];
                if (s != null) _empty[c] = 0;
                else if ((s = NewSlab(c)) == null) return null;
                Push(c, s);
            }
            byte* obj = s->FreeList;
            s->FreeList = *(byte**)obj;
            *(byte**)obj = null;   // the rest of a free object is still zero
            s->FreeCount--;
            if (s->FreeCount == 0) Unlink(c, s);
            _bytesInUse += ClassSize(c);
            return obj;
        }

        private void FreeSmall(Slab* s, byte* obj)
        {
            int c = s->SizeClass, size = ClassSize(c);
            if (((ulong)(obj - (byte*)s - HeaderSize)) % (ulong)size != 0)
                throw new System.InvalidOperationException("heap: free of a pointer inside a block");
            for (int i = 0; i < size; i += 8) *(ulong*)(obj + i) = 0;   // keeps the zeroed-allocation promise, exposes use-after-free
            *(byte**)obj = s->FreeList;
            s->FreeList = obj;
            if (s->FreeCount++ == 0) Push(c, s);
            _bytesInUse -= size;
            if (s->FreeCount == ObjectsPerSlab(c))
            {
                Unlink(c, s);
                if (_empty[c] == 0) _empty[c] = (ulong)s;
                else { _pages.FreePages((byte*)s, 1); _pagesHeld--; }
            }
        }

        private static int ObjectsPerSlab(int c) => (PageSize - HeaderSize) / ClassSize(c);

        private Slab* NewSlab(int c)
        {
            byte* page = _pages.AllocatePages(1);
            if (page == null) return null;
            _pagesHeld++;
            Slab* s = (Slab*)page;
            s->SizeClass = (ushort)c;
            s->Magic = (ushort)HeaderMagic;
            int size = ClassSize(c), n = ObjectsPerSlab(c);
            s->FreeCount = n;
            s->FreeList = null;
            for (int i = n - 1; i >= 0; i--)
            {
                byte* obj = page + HeaderSize + i * size;
                *(byte**)obj = s->FreeList;
                s->FreeList = obj;
            }
            return s;
        }

        private void* AllocateLarge(ulong size)
        {
            int pages = (int)((size + HeaderSize + PageSize - 1) / PageSize);
            byte* run = _pages.AllocatePages(pages);
            if (run == null) return null;
            _pagesHeld += pages;
            Slab* s = (Slab*)run;
            s->SizeClass = LargeClass;
            s->Magic = (ushort)HeaderMagic;
            s->Pages = pages;
            _bytesInUse += (long)pages * PageSize;
            return run + HeaderSize;
        }

        private void FreeLarge(Slab* s)
        {
            int pages = s->Pages;
            s->Magic = 0;
            _bytesInUse -= (long)pages * PageSize;
            _pagesHeld -= pages;
            _pages.FreePages((byte*)s, pages);
        }

        private void Push(int c, Slab* s)
        {
            Slab* head = (Slab*)_partial[c];
            s->Prev = null;
            s->Next = head;
            if (head != null) head->Prev = s;
            _partial[c] = (ulong)s;
        }

        private void Unlink(int c, Slab* s)
        {
            if (s->Prev != null) s->Prev->Next = s->Next; else _partial[c] = (ulong)s->Next;
            if (s->Next != null) s->Next->Prev = s->Prev;
            s->Next = s->Prev = null;
        }
    }
}
