using Sticky.Mm;

namespace Sticky.Fs
{
    // The bytes of a RAM file: read, write and truncate through the frames of
    // its SharedMemoryObject. A page never written reads as zeros (a hole) and
    // takes no frame. The caller holds the file-system lock; `into`/`from` are
    // kernel memory (bounce buffers), so nothing here can fault.
    public static unsafe class FileData
    {
        public const ulong MaxSize = 64UL << 20;   // EFBIG beyond: the page array must stay small (kernel heap)

        public static int Read<TMem>(TMem mem, RamFile file, ulong offset, byte* into, int count) where TMem : struct, IPhysicalMemory
        {
            if (offset >= file.Length || count <= 0) return 0;
            ulong left = file.Length - offset;
            int n = left < (ulong)count ? (int)left : count;
            for (int done = 0; done < n;)
            {
                ulong at = offset + (ulong)done;
                ulong page = at >> Paging.PageShift, within = at & Paging.PageMask;
                int chunk = (int)(Paging.PageSize - within);
                if (chunk > n - done) chunk = n - done;
                FrameNumber frame = file.Data != null && page < file.Data.PageCount ? file.Data.FrameOf(page) : FrameNumber.None;
                if (frame.IsNone) for (int i = 0; i < chunk; i++) into[done + i] = 0;
                else
                {
                    byte* src = mem.Map(frame.Address) + within;
                    for (int i = 0; i < chunk; i++) into[done + i] = src[i];
                }
                done += chunk;
            }
            return n;
        }

        // Bytes written (fewer when memory ran out part way), -ENOSPC, or -EFBIG.
        public static int Write<TMem>(TMem mem, RamFile file, ulong offset, byte* from, int count) where TMem : struct, IPhysicalMemory
        {
            if (count <= 0) return 0;
            if (offset >= MaxSize) return -Errno.EFBIG;
            if ((ulong)count > MaxSize - offset) count = (int)(MaxSize - offset);
            ulong end = offset + (ulong)count;
            if (!EnsurePages(file, end)) return -Errno.ENOSPC;
            int done = 0;
            while (done < count)
            {
                ulong at = offset + (ulong)done;
                ulong page = at >> Paging.PageShift, within = at & Paging.PageMask;
                int chunk = (int)(Paging.PageSize - within);
                if (chunk > count - done) chunk = count - done;
                if (!file.Data.TryCommit(mem, file.Fs.Frames, page, out FrameNumber frame)) break;
                byte* dst = mem.Map(frame.Address) + within;
                for (int i = 0; i < chunk; i++) dst[i] = from[done + i];
                done += chunk;
            }
            if (done == 0) return -Errno.ENOSPC;
            if (offset + (ulong)done > file.Length) file.Length = offset + (ulong)done;
            file.ModifiedNs = file.ChangedNs = FileSystem.Now;
            return done;
        }

        // 0, -EFBIG. Shrinking zeroes the rest of the last page and lets the frames past it go.
        public static int Truncate<TMem>(TMem mem, RamFile file, ulong length) where TMem : struct, IPhysicalMemory
        {
            if (length > MaxSize) return -Errno.EFBIG;
            if (length < file.Length && file.Data != null)
            {
                ulong page = length >> Paging.PageShift, within = length & Paging.PageMask;
                if (within != 0 && page < file.Data.PageCount && !file.Data.FrameOf(page).IsNone)
                {
                    byte* p = mem.Map(file.Data.FrameOf(page).Address);
                    for (ulong i = within; i < Paging.PageSize; i++) p[i] = 0;
                }
                file.Data.Drop(file.Fs.Frames, Paging.AlignUp(length) >> Paging.PageShift);
            }
            file.Length = length;
            file.ModifiedNs = file.ChangedNs = FileSystem.Now;
            return 0;
        }

        // Room in the page array for `bytes` (a mapping may reach past the end of
        // the file). Grows by doubling, so a file written in small pieces is not
        // copied at every page.
        // False (ENOSPC) when the array would have to grow and memory is short.
        public static bool EnsurePages(RamFile file, ulong bytes)
        {
            ulong pages = Paging.AlignUp(bytes) >> Paging.PageShift;
            if (pages == 0) pages = 1;
            if (file.Data != null && pages <= file.Data.PageCount) return true;
            if (!file.Fs.HasRoom) return false;
            if (file.Data == null) { file.Data = new SharedMemoryObject(pages); return true; }
            ulong grown = file.Data.PageCount * 2;
            if (grown > MaxSize >> Paging.PageShift) grown = MaxSize >> Paging.PageShift;
            file.Data.Grow(grown > pages ? grown : pages);
            return true;
        }
    }
}
