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
            if (t == null) return -Errno.ENOMEM;
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
            child.ExitSignal = (int)(flags & CSIGNAL);
            ulong sigFlags = Scheduler.Lock();
            child.Actions.CopyFrom(parent.Actions);
            Scheduler.Unlock(sigFlags);
            fixed (byte* name = parent.Name) child.SetName(name, parent.NameLength);

            Thread t = Processes.CreateThread(child, f);
            if (t == null)
            {
                child.Files.Destroy();
                space.Destroy();
                KernelHeap.Free(space);
                Processes.Discard(child);
                return -Errno.ENOMEM;
            }
            child.Pid = t.Id;
            UserMode.FrameOf(t.StackTop)->Rax = 0;
            t.FsBase = Scheduler.Current.FsBase;
            if ((flags & CLONE_CHILD_CLEARTID) != 0) t.ClearChildTid = childTid;
            if ((flags & CLONE_PARENT_SETTID) != 0) UserMemory.Write(parentTid, child.Pid);
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
            if (pid < -1 || pid == 0) pid = -1;   // one process group: "same group" is everyone
            Process self = Processes.Current;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                Process zombie = Processes.FindZombieLocked(self, pid, out bool hasChild);
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
                if (!hasChild) { Scheduler.Unlock(flags); return -Errno.ECHILD; }
                if ((options & WNOHANG) != 0) { Scheduler.Unlock(flags); return 0; }
                if (Scheduler.WaitLocked(self.ChildEvents, 0, flags) == WakeReason.Interrupted) return -Sticky.Signal.SyscallRestart.ERESTARTSYS;
            }
        }
    }
}
