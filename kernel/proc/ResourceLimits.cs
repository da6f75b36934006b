namespace Sticky.Proc
{
    // A process's resource limits (getrlimit/setrlimit/prlimit64), inherited
    // across fork and exec. Only RLIMIT_NOFILE is enforced (by the descriptor
    // table); the others are reported as set.
    public unsafe struct ResourceLimits
    {
        public const int Count = 16;   // RLIMIT_NLIMITS
        public const int CPU = 0, FSIZE = 1, DATA = 2, STACK = 3, CORE = 4, RSS = 5, NPROC = 6, NOFILE = 7,
            MEMLOCK = 8, AS = 9, LOCKS = 10, SIGPENDING = 11, MSGQUEUE = 12, NICE = 13, RTPRIO = 14, RTTIME = 15;
        public const ulong Infinity = ulong.MaxValue;

        private fixed ulong _soft[Count];
        private fixed ulong _hard[Count];

        public static ResourceLimits Defaults()
        {
            var l = new ResourceLimits();
            for (int i = 0; i < Count; i++) l.Set(i, Infinity, Infinity);
            l.Set(STACK, 8UL << 20, Infinity);                                  // the 8 MiB exec builds
            l.Set(NOFILE, Io.FileTable.Capacity, Io.FileTable.Capacity);        // 64 descriptors
            l.Set(NPROC, Processes.MaxProcesses, Processes.MaxProcesses);
            l.Set(CORE, 0, Infinity);
            l.Set(MEMLOCK, 8UL << 20, 8UL << 20);
            l.Set(SIGPENDING, 1024, 1024);
            l.Set(MSGQUEUE, 819200, 819200);
            l.Set(NICE, 0, 0);
            l.Set(RTPRIO, 0, 0);
            return l;
        }

        public ulong Soft(int resource) => _soft[resource];
        public ulong Hard(int resource) => _hard[resource];

        public void Set(int resource, ulong soft, ulong hard)
        {
            _soft[resource] = soft;
            _hard[resource] = hard;
        }
    }
}
