using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Exec;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // Process and thread life cycle: fork, clone, execve, wait4, kill, and the
    // per-thread TLS and tid words.
    public static unsafe class SysProcess
    {
        private const ulong CSIGNAL = 0xFF, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400,
            CLONE_SIGHAND = 0x800, CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
            CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
            CLONE_CHILD_SETTID = 0x1000000;
        // What pthread_create passes (musl and glibc), minus the optional bits.
        private const ulong ThreadRequired = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
        private const ulong ThreadOptional = CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
            CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID;
        // A fork through clone: an exit signal and the parent's tid word, or the
        // child's clear-tid word. (CLONE_CHILD_SETTID would write into the
        // child's still-shared copy before it runs: not supported.)
        private const ulong ForkAllowed = CSIGNAL | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;

        public static long Getppid()
        {
            Process parent = Processes.Current.Parent;
            return parent != null ? parent.Pid : 0;
        }

        public static long ArchPrctl(int code, ulong address)
        {
            const int ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003;
            Thread t = Scheduler.Current;
            switch (code)
            {
                case ARCH_SET_FS:
                    if (address >= Paging.UserEnd) return -Errno.EPERM;
                    t.FsBase = address;
                    UserMode.LoadFsBase(address);
                    return 0;
                case ARCH_GET_FS:
                    return UserMemory.Write(address, t.FsBase) ? 0 : -Errno.EFAULT;
                default:
                    return -Errno.EINVAL;
            }
        }

        public static long Clone(TrapFrame* f, ulong flags, ulong stack, ulong parentTid, ulong childTid, ulong tls)
        {
            if ((flags & CLONE_VM) == 0)
            {
                if ((flags & ~ForkAllowed) != 0) return -Errno.EINVAL;
                return Fork(f, flags, parentTid, childTid);
            }
            if ((flags & ThreadRequired) != ThreadRequired || (flags & ~(ThreadRequired | ThreadOptional | CSIGNAL)) != 0)
                return -Errno.EINVAL;   // e.g. CLONE_VM without CLONE_THREAD (vfork-style): not supported
            if ((flags & CLONE_SETTLS) != 0 && tls >= Paging.UserEnd) return -Errno.EPERM;

            Process p = Processes.Current;
            Thread t = Processes.CreateThread(p, f);
            if (t == null) return Scheduler.Current.ExitPending ? -Errno.EINTR : -Errno.ENOMEM;
            TrapFrame* child = UserMode.FrameOf(t.StackTop);
            child->Rax = 0;
            if (stack != 0) child->Rsp = stack;
            t.FsBase = (flags & CLONE_SETTLS) != 0 ? tls : Scheduler.Current.FsBase;
            if ((flags & CLONE_CHILD_CLEARTID) != 0) t.ClearChildTid = childTid;
            // The tid words are written before the thread can run (musl relies on it).
            if ((flags & CLONE_PARENT_SETTID) != 0) UserMemory.Write(parentTid, t.Id);
            if ((flags & CLONE_CHILD_SETTID) != 0) UserMemory.Write(childTid, t.Id);
            Scheduler.Start(t);
            return t.Id;
        }

        // Only the calling thread is duplicated (POSIX); memory lazily (COW).
        public static long Fork(TrapFrame* f, ulong flags, ulong parentTid, ulong childTid)
        {
            Process parent = Processes.Current;
            Process child = Processes.Create(parent);
            if (child == null) return -Errno.EAGAIN;

            ulong lockFlags = parent.SpaceLock.AcquireIrqSave();
            // Heuristic overcommit: refuse a fork that free memory could not back if
            // both processes went on to write every page they now share. Without it
            // a fork loop only stops when the OOM killer starts killing.
            bool room = KernelMemory.Frames.FreeFrames > KernelMemory.Frames.ReserveFloor + parent.Space.ResidentPages;
            var space = room ? parent.Space.Fork(Futexes.CopyPinnedPagesOnFork) : null;
            parent.SpaceLock.ReleaseIrqRestore(lockFlags);
            if (space == null) { Processes.Discard(child); return -Errno.ENOMEM; }
            child.Space = space;
            child.Files = parent.Files.Clone();
            child.BrkStart = parent.BrkStart; child.Brk = parent.Brk;
            child.MmapCeiling = parent.MmapCeiling;
            child.Image = parent.Image; child.ImageSize = parent.ImageSize; child.ImageBias = parent.ImageBias;
            fixed (byte* name = parent.Name) child.SetName(name, parent.NameLength);
            child.Pgid = parent.Pgid;
            child.Sid = parent.Sid;
            child.Signals = parent.Signals?.Clone();

            Thread t = Processes.CreateThread(child, f);
            if (t == null)
            {
                child.Files.Destroy();
                space.Destroy();
                KernelHeap.Free(space);
                Processes.Discard(child);
                return Scheduler.Current.ExitPending ? -Errno.EINTR : -Errno.ENOMEM;
            }
            child.Pid = t.Id;
            UserMode.FrameOf(t.StackTop)->Rax = 0;
            t.FsBase = Scheduler.Current.FsBase;
            if ((flags & CLONE_CHILD_CLEARTID) != 0) t.ClearChildTid = childTid;
            if ((flags & CLONE_PARENT_SETTID) != 0) UserMemory.Write(parentTid, child.Pid);
            if (Log.On(Subsystem.Futex, Level.Trace)) Futexes.LogFork(parent, child);   // before the child can run
            Scheduler.Start(t);
            if (Log.On(Subsystem.Proc, Level.Debug))
            {
                Log.Begin(Subsystem.Proc, Level.Debug);
                Console.Write("fork");
                Log.Value("parent", parent.Pid);
                Log.Value("child", child.Pid);
                Log.Value("free-frames", (long)KernelMemory.Frames.FreeFrames);
                Log.End();
            }
            return child.Pid;
        }

        public static long Execve(TrapFrame* f, ulong path, ulong argv, ulong envp)
        {
            Process p = Processes.Current;
            byte* name = stackalloc byte[256];
            int nameLength = UserMemory.ReadString(path, name, 256);
            if (nameLength < 0) return nameLength;
            int bytes = 0;
            int err = MeasureStrings(argv, ref bytes);
            if (err == 0) err = MeasureStrings(envp, ref bytes);
            if (err != 0) return err;
            var args = new ArgBlock(bytes);
            err = CopyStrings(args, argv, false);
            if (err == 0) err = CopyStrings(args, envp, true);
            ulong entry = 0, sp = 0;
            if (err == 0) err = Proc.Exec.Replace(p, name, nameLength, args, out entry, out sp);
            args.Release();
            if (err != 0) return err;

            Proc.Exec.StartImage(Scheduler.Current, f, entry, sp);
            return 0;
        }

        // Adds the size of a NULL-terminated string array (strings and NULs) to `bytes`:
        // 0, -EFAULT, or -E2BIG past ArgBlock's limits.
        private static int MeasureStrings(ulong vector, ref int bytes)
        {
            if (vector == 0) return 0;
            for (int i = 0; ; i++)
            {
                if (i >= ArgBlock.MaxStrings) return -Errno.E2BIG;
                if (!UserMemory.Read(vector + (ulong)i * 8, out ulong s)) return -Errno.EFAULT;
                if (s == 0) return 0;
                int n = UserMemory.StringLength(s, ArgBlock.MaxBytes - bytes);
                if (n == -Errno.ENAMETOOLONG) return -Errno.E2BIG;
                if (n < 0) return n;
                bytes += n + 1;
            }
        }

        // A NULL-terminated array of string pointers from user memory, into the
        // block MeasureStrings sized. A string that changed in between (another
        // thread) and no longer fits is E2BIG.
        private static int CopyStrings(ArgBlock args, ulong vector, bool environment)
        {
            if (vector == 0) return 0;
            for (int i = 0; ; i++)
            {
                if (!UserMemory.Read(vector + (ulong)i * 8, out ulong s)) return -Errno.EFAULT;
                if (s == 0) return 0;
                int room = args.Capacity - args.Used;
                if (room <= 0 || args.ArgCount + args.EnvCount >= ArgBlock.MaxStrings) return -Errno.E2BIG;
                int n;
                fixed (byte* into = &args.Bytes[args.Used]) n = UserMemory.ReadString(s, into, room);
                if (n == -Errno.ENAMETOOLONG) return -Errno.E2BIG;
                if (n < 0) return n;
                args.Used += n + 1;
                if (environment) args.EnvCount++; else args.ArgCount++;
            }
        }

        public static long Wait4(int pid, ulong status, int options, ulong rusage)
        {
            const int WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8, WALL = 0x40000000, WCLONE = unchecked((int)0x80000000);
            if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE)) != 0) return -Errno.EINVAL;
            if (pid == int.MinValue) return -Errno.ESRCH;   // -pid has no meaning, as in Linux
            Process self = Processes.Current;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                // pid > 0: that child; -1: any; 0: one of our process group; < -1: one of group -pid.
                int group = pid == 0 ? self.Pgid : pid < -1 ? -pid : 0;
                Process zombie = Processes.FindZombieLocked(self, pid > 0 ? pid : -1, group, out bool hasChild);
                if (zombie != null)
                {
                    Processes.ReapLocked(zombie);
                    Scheduler.Unlock(flags);
                    int childPid = zombie.Pid, childStatus = zombie.WaitStatus;
                    Processes.Free(zombie);
                    if (status != 0 && !UserMemory.Write(status, childStatus)) return -Errno.EFAULT;
                    if (rusage != 0 && !UserMemory.Zero(rusage, 144)) return -Errno.EFAULT;   // struct rusage: all zero
                    return childPid;
                }
                if (!hasChild || (options & WNOHANG) != 0)
                {
                    Scheduler.Unlock(flags);
                    LeakAccounting.NothingToReap(self);
                    return hasChild ? 0 : -Errno.ECHILD;
                }
                if (Scheduler.WaitLocked(self.ChildEvents, 0, flags) == WakeReason.Interrupted) return -Errno.EINTR;
            }
        }

        // pid > 0: that process; 0: the caller's process group; -1: every
        // process but init and the caller; < -1: process group -pid. What a
        // signal does: Processes.SendLocked.
        public static long Kill(int pid, int signal)
        {
            if (signal < 0 || signal > 64) return -Errno.EINVAL;
            if (pid == int.MinValue) return -Errno.ESRCH;
            Process self = Processes.Current;
            ulong flags = Scheduler.Lock();   // no target can be reaped while we look at it
            long result;
            if (pid > 0) result = Deliver(Processes.FindLocked(pid), signal);
            else if (pid == -1) result = Everyone(self, signal);
            else result = Processes.SendGroupLocked(pid == 0 ? self.Pgid : -pid, signal) > 0 ? 0 : -Errno.ESRCH;
            Scheduler.Unlock(flags);
            return result;
        }

        // Scheduler lock held.
        private static long Everyone(Process self, int signal)
        {
            int found = 0;
            for (Process p = Processes.First; p != null; p = p.NextInTable)
            {
                if (p == Processes.Init || p == self || p.State != ProcessState.Alive) continue;
                found++;
                Processes.SendLocked(p, signal);
            }
            return found > 0 ? 0 : -Errno.ESRCH;
        }

        public static long Tkill(int tid, int signal)
        {
            if (tid <= 0 || signal < 0 || signal > 64) return -Errno.EINVAL;
            ulong flags = Scheduler.Lock();
            Process target = null;
            for (Thread t = Scheduler.AllThreads; t != null; t = t.NextAll)
                if (t.Id == tid && t.Process != null) { target = t.Process; break; }
            long result = Deliver(target, signal);
            Scheduler.Unlock(flags);
            return result;
        }

        // Scheduler lock held. A zombie still exists for kill (0, as Linux).
        private static long Deliver(Process target, int signal)
        {
            if (target == null) return -Errno.ESRCH;
            Processes.SendLocked(target, signal);
            return 0;
        }
    }
}
