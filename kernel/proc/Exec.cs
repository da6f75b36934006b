using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Exec;
using Sticky.Fs;
using Sticky.Io;
using Sticky.Mm;

namespace Sticky.Proc
{
    // execve: a new address space built from a file of the tree. The old one
    // is destroyed only once the new one is complete, so a failed exec leaves
    // the caller running unchanged with an error.
    public static unsafe class Exec
    {
        public static int Replace(Process p, byte* path, int pathLength, ArgBlock args, out ulong entry, out ulong stackPointer)
        {
            entry = stackPointer = 0;
            int err = Open(path, pathLength, out byte* data, out ulong size, out bool copied, out byte[] exePath);
            if (err != 0) return err;
            err = Replace(p, path, pathLength, data, size, copied, args, out entry, out stackPointer);
            if (copied) KernelHeap.Free(data);   // a RAM file's copy: loaded, so no longer needed
            if (err == 0)
            {
                // /proc reads it under the scheduler lock (KernelProcFs, ProcProcessText).
                ulong flags = Scheduler.Lock();
                byte[] old = p.ExePath;
                p.ExePath = exePath;
                Scheduler.Unlock(flags);
                if (old != null) KernelHeap.Free(old);
            }
            else if (exePath != null) KernelHeap.Free(exePath);
            return err;
        }

        // The executable's bytes: an initramfs file in place, or a copy of a
        // RAM file (which may change or go while it is loaded). 0, ENOENT,
        // ENOTDIR..., EACCES (not a regular file, no execute bit), ENOMEM.
        private static int Open(byte* path, int length, out byte* data, out ulong size, out bool copied, out byte[] exePath)
        {
            data = null; size = 0; copied = false; exePath = null;
            var at = new PathAt();
            int err = at.Begin(Vfs.AT_FDCWD, path, length, true);
            Inode file = at.Result.Target;
            if (err == 0 && file == null) err = -Errno.ENOENT;
            else if (err == 0 && (file.Kind != InodeKind.File || !file.IsExecutable)) err = -Errno.EACCES;
            if (err == 0)
            {
                exePath = AbsolutePath(ref at.Result);
                size = file.Size;
                if (file is ImageFile image) data = image.Data;
                else Namespace.Use(file);
            }
            at.End();
            if (err != 0 || data != null) return err;

            var ram = (RamFile)file;
            data = size > 0 ? (byte*)KernelHeap.Allocate(size) : null;
            if (data != null)
            {
                copied = true;
                for (ulong done = 0; done < size;)
                {
                    ulong flags = Vfs.Lock();
                    int n = FileData.Read(default(DirectMap), ram, done, data + done, size - done < 65536 ? (int)(size - done) : 65536);
                    Vfs.Unlock(flags);
                    if (n <= 0) { size = done; break; }   // truncated meanwhile
                    done += (ulong)n;
                }
            }
            Vfs.Put(file);
            return data != null ? 0 : size == 0 ? -Errno.ENOEXEC : -Errno.ENOMEM;
        }

        // Where the walk ended, as /proc/<pid>/exe shows it (lock held).
        private static byte[] AbsolutePath(ref WalkResult r)
        {
            if (r.Parent == null) return null;
            byte* into = stackalloc byte[PathWalk.PathMax];
            int n = PathWalk.PathOf(r.Parent, r.Name, r.NameLength, into, PathWalk.PathMax);
            if (n < 0) return null;
            var path = new byte[n];
            for (int i = 0; i < n; i++) path[i] = into[i];
            return path;
        }

        private static int Replace(Process p, byte* path, int pathLength, byte* data, ulong size, bool copied, ArgBlock args,
                                   out ulong entry, out ulong stackPointer)
        {
            entry = stackPointer = 0;
            int err;
            ElfError bad = ElfImage.Parse(data, size, ProgramLoader.PieBias, out ElfImage image);
            if (bad != ElfError.Ok)
            {
                if (Log.On(Subsystem.Exec, Level.Info))
                {
                    Log.Begin(Subsystem.Exec, Level.Info);
                    Console.WriteBytes(path, pathLength);
                    Console.Write(": not an executable for stickyos: ");
                    Console.Write(ElfImage.Describe(bad));
                    Log.End();
                }
                return -Errno.ENOEXEC;
            }

            var space = SpaceState.NewSpace();
            if (space == null) return -Errno.ENOMEM;
            err = ProgramLoader.LoadSegments(space, default(DirectMap), image);
            long sp = err == 0 ? ProgramLoader.BuildStack(space, default(DirectMap), image, args, Sticky.Io.Entropy.Next(), Sticky.Io.Entropy.Next()) : err;
            if (sp < 0)
            {
                if (Log.On(Subsystem.Exec, Level.Info))
                {
                    Log.Begin(Subsystem.Exec, Level.Info);
                    Console.WriteBytes(path, pathLength);
                    Console.Write(err != 0 ? ": loading its segments failed: " : ": building its stack failed: ");
                    Console.Write(Errno.Name((int)-sp) ?? "error");
                    Log.End();
                }
                SpaceState.Destroy(space);
                return (int)sp;
            }

            // The point of no return: the other threads go, then the old image.
            if (p.LiveThreads > 1 && !Processes.EndOtherThreads(p))
            {
                SpaceState.Destroy(space);
                return -Errno.EINTR;
            }

            if (Processes.Current == p) Sys.Futexes.OnExec(Scheduler.Current);   // the old image's robust and PI locks
            // Swapped under the old space's lock (a thread waiting for it finds
            // p.Space changed and looks again: Process.LockSpace).
            var old = p.LockSpace();
            ulong flags = Cpu.SaveAndDisableInterrupts();   // the process's space and this CPU's CR3 change together
            p.Space = space;
            if (Processes.Current == p) LoadedSpaces.Load(space);
            Cpu.RestoreInterrupts(flags);
            Process.UnlockSpace(old);
            if (old != null) Processes.DropSpace(old);   // a vfork child's was its parent's
            Processes.ReleaseVforkParent(p);

            p.BrkStart = p.Brk = Paging.AlignUp(image.HighVaddr);
            p.MmapCeiling = ProgramLoader.MmapCeiling;
            // Fault reports symbolize from the executable; a RAM file's copy goes, so it has none.
            p.Image = copied ? null : data;
            p.ImageSize = copied ? 0 : size;
            p.ImageBias = image.Bias;
            p.SetName(path, pathLength);
            p.ArgStart = ProgramLoader.StackTop - (ulong)args.Used;
            p.ArgEnd = p.ArgStart + (ulong)args.ArgBytes;
            p.Files.CloseOnExec();
            p.Execed = true;
            if (Processes.Current == p) Sticky.Debug.DebugBlock.Update(Scheduler.Current);   // new name and CR3, no switch
            entry = image.Entry;
            stackPointer = (ulong)sp;
            if (Log.On(Subsystem.Exec, Level.Debug))
            {
                Log.Begin(Subsystem.Exec, Level.Debug);
                Console.Write("exec ");
                p.WriteName();
                Log.Value("pid", p.Pid);
                Log.Hex("entry", entry);
                Log.Hex("sp", stackPointer);
                Log.Value("segments", image.SegmentCount);
                Log.End();
            }
            return 0;
        }

        // The calling thread's user state for a new image (execve, init): the
        // frame at the entry point, fresh FPU state, no TLS, no clear-tid word.
        public static void StartImage(Thread t, TrapFrame* frame, ulong entry, ulong stackPointer)
        {
            UserMode.InitFrame(frame, entry, stackPointer);
            t.ReturnViaIret = true;   // a new frame: every register comes from it
            Processes.ResetFpu(t);
            t.FsBase = 0;
            UserMode.LoadFsBase(0);
            t.ClearChildTid = 0;
            SignalSend.ResetForExec(t);
        }
    }
}
