using Sticky.Io;
using Sticky.Mm;
using Sticky.Sync;

namespace Sticky.Proc
{
    public enum ProcessState { Alive, Zombie }

    // A process: an address space, open files, threads, and its place in the
    // process tree. The last thread to exit tears the process down to a zombie
    // that holds only its wait status until the parent reaps it (wait4).
    public sealed unsafe class Process
    {
        public const int NameCapacity = 16;   // like Linux's comm

        public int Pid;
        public ProcessState State;
        public AddressSpace<DirectMap, CpuTlb> Space;
        // Space's lock (its SpaceState.Lock: the space's, shared with a vfork
        // child) serialises everything that reads or changes its regions and
        // page tables: mmap, munmap, mprotect, brk, fork, exec, futex key lookup
        // and every page fault. A sleeping lock (fork holds it across its copy
        // and a shootdown). Never held across a user copy. docs/locking.md.
        //
        // Locks Space and returns it (null, nothing locked, if there is none).
        // exec replaces Space and teardown clears it under the old space's
        // lock, so the space locked is checked to still be Space.
        public AddressSpace<DirectMap, CpuTlb> LockSpace()
        {
            while (true)
            {
                var space = Space;
                if (space == null) return null;
                space.Tlb.State.Lock.Acquire();
                if (Space == space) return space;
                space.Tlb.State.Lock.Release();
            }
        }

        public static void UnlockSpace(AddressSpace<DirectMap, CpuTlb> space)
        {
            if (space != null) space.Tlb.State.Lock.Release();
        }
        public FileTable Files;
        public Sticky.Fs.Directory Cwd;       // the working directory (a use of it: Vfs.Use/Put)
        public uint Umask = 0x12;             // 022
        public ResourceLimits Limits = ResourceLimits.Defaults();
        public ulong BrkStart, Brk;           // the heap: [BrkStart, AlignUp(Brk)) is mapped
        public ulong MmapCeiling;             // mmap without a hint searches downwards from here
        public byte* Image;                   // the executable in the initramfs (for symbols)
        public ulong ImageSize, ImageBias;

        // Tree (guarded by the scheduler lock).
        public Process Parent, FirstChild, NextSibling;
        public Process NextInTable;
        public WaitQueue ChildEvents;         // the parent waits here for a child to become a zombie

        // Threads (guarded by the scheduler lock).
        public Thread FirstThread;
        public int LiveThreads;

        // Creation the way libcs ask for it (SysProcess.Clone): the signal the
        // parent gets at exit (SIGCHLD, or another for a "clone" child, which
        // wait4 sees only with __WCLONE or __WALL), and the vfork parent's
        // thread, suspended until this process execs or exits.
        public int ExitSignal = Signals.SIGCHLD;
        public Thread VforkParent;

        // Exit: a pending group exit (exit_group, fatal fault, kill) with its wait status.
        public bool Exiting;
        public int WaitStatus;

        // Job control (guarded by the scheduler lock): the process group and
        // session it belongs to (inherited at fork; init starts in 0, 0 until
        // it calls setsid), and whether it has exec'd since fork (setpgid on
        // such a child is EACCES). The session's terminal: tty/KernelTerminal.cs.
        public int Pgid, Sid;
        public bool Execed;

        // Signals (kernel/proc/Signal*.cs): handlers shared by the threads,
        // and signals sent to the process as a whole (scheduler lock).
        public Sticky.Signal.SignalActions Actions = new Sticky.Signal.SignalActions();
        public Sticky.Signal.SigQueue SharedPending;
        public Sticky.Sys.SysSem.Undo SemUndo;       // SEM_UNDO adjustments, applied at exit
        public ulong AlarmDeadline, AlarmInterval;   // ITIMER_REAL, monotonic ns (RealTimers.cs); 0: disarmed

        // Identity and the odds and ends prctl and setpriority keep (SysIdentity, SysPrctl).
        public Credentials Creds;
        public int Nice;                             // -20..19; recorded, the scheduler is round-robin
        public int DeathSignal;                      // PR_SET_PDEATHSIG; recorded, not sent
        public bool Dumpable = true, KeepCaps, NoNewPrivs;
        public int MembarrierRegistered;             // MEMBARRIER_CMD_REGISTER_* bits

        public byte[] Name = new byte[NameCapacity];
        public int NameLength;

        // What /proc shows of it (ProcText*.cs): the executable's absolute path
        // (null until the first exec), where exec put argv's strings in its
        // memory, and when it was made (monotonic ns).
        public byte[] ExePath;
        public ulong ArgStart, ArgEnd;
        public ulong StartedNs;

        public void WriteName()
        {
            fixed (byte* name = Name) Sticky.Debug.Console.WriteBytes(name, NameLength);
        }

        public void SetName(byte* name, int length)
        {
            // The basename, as Linux's comm.
            int start = 0;
            for (int i = 0; i < length; i++) if (name[i] == (byte)'/') start = i + 1;
            int n = length - start;
            if (n > NameCapacity) n = NameCapacity;
            for (int i = 0; i < n; i++) Name[i] = name[start + i];
            NameLength = n;
        }
    }
}
