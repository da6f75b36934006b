namespace Sticky.Io
{
    // The interest list of one epoll instance (an open file of kind Epoll):
    // per watched descriptor its fd, the open file (a reference held while
    // it is watched), the events asked for, the caller's 64-bit data, and,
    // for EPOLLET, which events were already reported. Guarded by the
    // scheduler lock, under which pipes and the terminal say whether they
    // are ready (SysEpoll.cs), so a check and the sleep are one step.
    public sealed unsafe class EpollSet
    {
        public const uint EPOLLET = 1u << 31, EPOLLONESHOT = 1u << 30;

        public int Count;
        public int[] Fds;
        public File[] Files;
        public uint[] Events;
        public ulong[] Data;
        public uint[] Reported;   // EPOLLET: events reported and still present

        public int Find(int fd)
        {
            for (int i = 0; i < Count; i++)
                if (Fds[i] == fd) return i;
            return -1;
        }

        public bool IsFull => Fds == null || Count == Fds.Length;

        // Scheduler lock held: moves the entries into arrays of `capacity`
        // made by the caller (outside the lock), and hands the old ones back
        // in the same variables to be freed.
        public void SwapArrays(ref int[] fds, ref File[] files, ref uint[] events, ref ulong[] data, ref uint[] reported)
        {
            for (int i = 0; i < Count; i++)
            {
                fds[i] = Fds[i];
                files[i] = Files[i];
                events[i] = Events[i];
                data[i] = Data[i];
                reported[i] = Reported[i];
            }
            int[] f = Fds; Fds = fds; fds = f;
            File[] fl = Files; Files = files; files = fl;
            uint[] e = Events; Events = events; events = e;
            ulong[] d = Data; Data = data; data = d;
            uint[] r = Reported; Reported = reported; reported = r;
        }

        // Scheduler lock held: the entry at `i` goes; its file is returned for
        // the caller to release outside the lock.
        public File RemoveAt(int i)
        {
            File f = Files[i];
            Count--;
            Fds[i] = Fds[Count];
            Files[i] = Files[Count];
            Events[i] = Events[Count];
            Data[i] = Data[Count];
            Reported[i] = Reported[Count];
            Files[Count] = null;
            return f;
        }

        // Scheduler lock held: poll's view of the epoll file itself (readable
        // while a watched file has an event asked for), leaving EPOLLET's
        // bookkeeping alone. No nesting, so this never recurses.
        public bool AnyReadyLocked()
        {
            for (int i = 0; i < Count; i++)
                if (Files[i] != null && ((uint)Readiness.EventsLocked(Files[i]) & Events[i] & 0xFFFF) != 0) return true;
            return false;
        }

        // The epoll file's last reference is gone: every watched file is let go.
        public void Release()
        {
            for (int i = 0; i < Count; i++) Files[i]?.Release();
            Count = 0;
            FreeArrays(Fds, Files, Events, Data, Reported);
        }

        public static void FreeArrays(int[] fds, File[] files, uint[] events, ulong[] data, uint[] reported)
        {
            if (fds != null) Sticky.Mm.KernelHeap.Free(fds);
            if (files != null) Sticky.Mm.KernelHeap.Free(files);
            if (events != null) Sticky.Mm.KernelHeap.Free(events);
            if (data != null) Sticky.Mm.KernelHeap.Free(data);
            if (reported != null) Sticky.Mm.KernelHeap.Free(reported);
        }
    }
}
