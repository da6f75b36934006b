using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Exec;
using Sticky.Fs;
using Sticky.Mm;

namespace Sticky.Proc
{
    // execve: a new address space built from an initramfs file. The old one is
    // destroyed only once the new one is complete, so a failed exec leaves
    // the caller running unchanged with an error.
    public static unsafe class Exec
    {
        public static int Replace(Process p, byte* path, int pathLength, ArgBlock args, out ulong entry, out ulong stackPointer)
        {
            entry = stackPointer = 0;
            int err = Initramfs.Open(path, pathLength, out CpioEntry file);
            if (err != 0) return err;
            ElfError bad = ElfImage.Parse(file.Data, file.Size, ProgramLoader.PieBias, out ElfImage image);
            if (bad != ElfError.Ok)
            {
                if (Log.On(Subsystem.Exec, Level.Info))
                {
                    Log.Begin(Subsystem.Exec, Level.Info);
                    Console.WriteBytes(file.Name, file.NameLength);
                    Console.Write(": not an executable for stickyos: ");
                    Console.Write(ElfImage.Describe(bad));
                    Log.End();
                }
                return -Errno.ENOEXEC;
            }

            var space = AddressSpace<DirectMap, CpuTlb>.Create(default, default, KernelMemory.Frames, KernelMemory.KernelTemplate);
            if (space == null) return -Errno.ENOMEM;
            err = ProgramLoader.LoadSegments(space, default(DirectMap), image);
            long sp = err == 0 ? ProgramLoader.BuildStack(space, default(DirectMap), image, args, Random(), Random()) : err;
            if (sp < 0)
            {
                if (Log.On(Subsystem.Exec, Level.Info))
                {
                    Log.Begin(Subsystem.Exec, Level.Info);
                    Console.WriteBytes(file.Name, file.NameLength);
                    Console.Write(err != 0 ? ": loading its segments failed: " : ": building its stack failed: ");
                    Console.Write(Errno.Name((int)-sp) ?? "error");
                    Log.End();
                }
                space.Destroy();
                KernelHeap.Free(space);
                return (int)sp;
            }

            // The point of no return: the other threads go, then the old image.
            if (p.LiveThreads > 1 && !Processes.EndOtherThreads(p))
            {
                space.Destroy();
                KernelHeap.Free(space);
                return -Errno.EINTR;
            }

            var old = p.Space;
            ulong flags = p.SpaceLock.AcquireIrqSave();
            p.Space = space;
            if (Processes.Current == p) KernelPageFaults.Switch(space);
            p.SpaceLock.ReleaseIrqRestore(flags);
            if (old != null) { old.Destroy(); KernelHeap.Free(old); }

            p.BrkStart = p.Brk = Paging.AlignUp(image.HighVaddr);
            p.MmapCeiling = ProgramLoader.MmapCeiling;
            p.Image = file.Data;
            p.ImageSize = file.Size;
            p.ImageBias = image.Bias;
            p.SetName(file.Name, file.NameLength);
            if (Processes.Current == p) Sticky.Debug.DebugBlock.Update(Scheduler.Current);   // new name and CR3, no switch
            entry = image.Entry;
            stackPointer = (ulong)sp;
            if (Log.On(Subsystem.Exec, Level.Debug))
            {
                Log.Begin(Subsystem.Exec, Level.Debug);
                Console.Write("exec ");
                Console.WriteBytes(file.Name, file.NameLength);
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
        }

        // For AT_RANDOM (musl's stack protector and malloc secrets): unpredictable
        // enough for tests, not for cryptography.
        private static ulong _state = 0x9E3779B97F4A7C15UL;
        private static ulong Random()
        {
            _state ^= Cpu.ReadTimestamp();
            _state ^= _state << 13; _state ^= _state >> 7; _state ^= _state << 17;
            return _state;
        }
    }
}
