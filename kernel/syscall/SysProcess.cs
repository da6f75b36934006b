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
            CLONE_SIGHAND = 0x800, CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000,
            CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
            CLONE_DETACHED = 0x400000, CLONE_CHILD_SETTID = 0x1000000;
        // What pthread_create passes (musl and glibc), minus the optional bits.
        private const ulong ThreadRequired = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
        private const ulong ThreadOptional = CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
            CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID;
        // A new process: glibc's fork (CHILD_SETTID|CHILD_CLEARTID|SIGCHLD), musl's
        // and glibc's posix_spawn (VM|VFORK|SIGCHLD), vfork, with any exit signal.
        // CLONE_VM only with CLONE_VFORK: a process that shares memory with its
        // parent for longer is not supported (nor are CLONE_FILES, CLONE_FS between processes).
        private const ulong ProcessAllowed = CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_SYSVSEM | CLONE_SETTLS |
            CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID;

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
            if ((flags & CLONE_THREAD) == 0)
            {
                if ((flags & ~ProcessAllowed) != 0) return -Errno.EINVAL;
                if ((flags & CLONE_VM) != 0 && (flags & CLONE_VFORK) == 0) return -Errno.EINVAL;
                if ((flags & CLONE_SETTLS) != 0 && tls >= Paging.UserEnd) return -Errno.EPERM;
                return Fork(f, flags, stack, parentTid, childTid, tls);
            }
            if ((flags & ThreadRequired) != ThreadRequired || (flags & ~(ThreadRequired | ThreadOptional | CSIGNAL)) != 0)
                return -Errno.EINVAL;
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

        public static long Vfork(TrapFrame* f) => Fork(f, CLONE_VM | CLONE_VFORK | (ulong)Signals.SIGCHLD, 0, 0, 0, 0);

        // clone3(struct clone_args *, size): the same as clone, from a struct
        // (flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size,
        // tls, set_tid, set_tid_size, cgroup). A larger struct from a newer libc
        // is fine if its extra bytes are zero (E2BIG otherwise).
        public static long Clone3(TrapFrame* f, ulong args, ulong size)
        {
            const ulong Ver0 = 64, Known = 88;
            if (size < Ver0) return -Errno.EINVAL;
            if (size > Paging.PageSize) return -Errno.E2BIG;
            ulong* a = stackalloc ulong[11];
            for (int i = 0; i < 11; i++) a[i] = 0;
            if (!UserMemory.CopyIn(a, args, size < Known ? size : Known)) return -Errno.EFAULT;
            for (ulong extra = Known; extra < size; extra++)
            {
                if (!UserMemory.Read(args + extra, out byte b)) return -Errno.EFAULT;
                if (b != 0) return -Errno.E2BIG;
            }
            ulong flags = a[0], pidfd = a[1], childTid = a[2], parentTid = a[3], exitSignal = a[4],
                stack = a[5], stackSize = a[6], tls = a[7], setTid = a[8], setTidSize = a[9], cgroup = a[10];
            if ((flags & CSIGNAL) != 0 || exitSignal > 64) return -Errno.EINVAL;
            if (pidfd != 0 || setTid != 0 || setTidSize != 0 || cgroup != 0 || (flags >> 32) != 0) return -Errno.EINVAL;
            if ((stack == 0) != (stackSize == 0)) return -Errno.EINVAL;
            if (stack != 0 && stack + stackSize < stack) return -Errno.EINVAL;
            return Clone(f, flags | exitSignal, stack != 0 ? stack + stackSize : 0, parentTid, childTid, tls);
        }

        // A new process: a copy-on-write copy of the caller's memory, or (CLONE_VM,
        // only with CLONE_VFORK) the same memory, with the caller suspended until
        // the child execs or exits. Only the calling thread is duplicated (POSIX).
        public static long Fork(TrapFrame* f, ulong flags, ulong stack, ulong parentTid, ulong childTid, ulong tls)
        {
            Process parent = Processes.Current;
            Process child = Processes.Create(parent);
            if (child == null) return -Errno.EAGAIN;
            bool shareMemory = (flags & CLONE_VM) != 0;

            AddressSpace<DirectMap, CpuTlb> space;
            if (shareMemory)
            {
                space = parent.Space;
                Processes.ShareSpace(space);
            }
            else
            {
                var locked = parent.LockSpace();
                // Heuristic overcommit: refuse a fork that free memory could not back if
                // both processes went on to write every page they now share. Without it
                // a fork loop only stops when the OOM killer starts killing.
                bool room = KernelMemory.Frames.FreeFrames > KernelMemory.Frames.ReserveFloor + parent.Space.ResidentPages;
                space = room ? SpaceState.Fork(parent.Space, Futexes.CopyPinnedPagesOnFork) : null;
                Process.UnlockSpace(locked);
                if (space == null) { Processes.Discard(child); return -Errno.ENOMEM; }
            }
            child.Space = space;
            child.Files = parent.Files.Clone();
            Sticky.Fs.Vfs.InheritCwd(parent, child);
            child.Umask = parent.Umask;
            child.Limits = parent.Limits;
            child.Creds = parent.Creds;
            child.Nice = parent.Nice;
            child.Dumpable = parent.Dumpable; child.KeepCaps = parent.KeepCaps; child.NoNewPrivs = parent.NoNewPrivs;
            child.ExitSignal = (int)(flags & CSIGNAL);
            child.BrkStart = parent.BrkStart; child.Brk = parent.Brk;
            child.MmapCeiling = parent.MmapCeiling;
            child.Image = parent.Image; child.ImageSize = parent.ImageSize; child.ImageBias = parent.ImageBias;
            ulong sigFlags = Scheduler.Lock();
            child.Actions.CopyFrom(parent.Actions);
            Scheduler.Unlock(sigFlags);
            fixed (byte* name = parent.Name) child.SetName(name, parent.NameLength);
            child.ExePath = Copy(parent.ExePath);
            child.ArgStart = parent.ArgStart; child.ArgEnd = parent.ArgEnd;
            child.Pgid = parent.Pgid;
            child.Sid = parent.Sid;

            Thread t = Processes.CreateThread(child, f);
            if (t == null)
            {
                child.Files.Destroy();
                Sticky.Fs.Vfs.Put(child.Cwd);
                Processes.DropSpace(space);
                Processes.Discard(child);
                return Scheduler.Current.ExitPending ? -Errno.EINTR : -Errno.ENOMEM;
            }
            child.Pid = t.Id;
            TrapFrame* frame = UserMode.FrameOf(t.StackTop);
            frame->Rax = 0;
            if (stack != 0) frame->Rsp = stack;
            t.FsBase = (flags & CLONE_SETTLS) != 0 ? tls : Scheduler.Current.FsBase;
            if ((flags & CLONE_CHILD_CLEARTID) != 0) t.ClearChildTid = childTid;
            if ((flags & CLONE_CHILD_SETTID) != 0) t.SetChildTid = childTid;   // the child writes it into its own memory
            if ((flags & CLONE_PARENT_SETTID) != 0) UserMemory.Write(parentTid, child.Pid);
            bool vfork = (flags & CLONE_VFORK) != 0;
            if (vfork) child.VforkParent = Scheduler.Current;
            if (Log.On(Subsystem.Futex, Level.Trace)) Futexes.LogFork(parent, child);   // before the child can run
            Scheduler.Start(t);
            if (Log.On(Subsystem.Proc, Level.Debug))
            {
                Log.Begin(Subsystem.Proc, Level.Debug);
                Console.Write(shareMemory ? "vfork" : "fork");
                Log.Value("parent", parent.Pid);
                Log.Value("child", child.Pid);
                Log.Value("free-frames", (long)KernelMemory.Frames.FreeFrames);
                Log.End();
            }
            int pid = child.Pid;   // the child may be reaped (by init, if we are killed) once released
            if (vfork) Processes.AwaitVforkRelease(child);
            return pid;
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
        private static byte[] Copy(byte[] a)
        {
            if (a == null) return null;
            var copy = new byte[a.Length];
            for (int i = 0; i < a.Length; i++) copy[i] = a[i];
            return copy;
        }

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
                Process zombie = Processes.FindZombieLocked(self, pid > 0 ? pid : -1, group, options, out bool hasChild);
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
                    if (LeakAccounting.Settle(self, pid > 0 ? pid : -1, group, options)) continue;   // a child became reapable: reap it first
                    LeakAccounting.NothingToReap(self);
                    return hasChild ? 0 : -Errno.ECHILD;
                }
                if (Scheduler.WaitLocked(self.ChildEvents, 0, flags) == WakeReason.Interrupted) return -Sticky.Signal.SyscallRestart.ERESTARTSYS;
            }
        }
    }
}
