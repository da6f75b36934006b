using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Io;
using Sticky.Mm;

namespace Sticky.Proc
{
    // The process table and the creation of processes and user threads (exit
    // and reaping: ProcessExit.cs). Tree and thread-list changes happen under
    // the scheduler lock.
    public static unsafe partial class Processes
    {
        public const int MaxProcesses = 256;   // fork beyond this: EAGAIN

        private static Process _first;
        private static int _live;
        public static Process Init;            // pid 1: adopts orphans; its exit powers off

        public static int LiveCount => _live;
        public static Process First => _first;

        public static Process Current => Scheduler.Current.Process;

        public static void Install()
        {
            Exceptions.UserFaultHook = &UserFaults.Kill;
            KernelPageFaults.SpaceFaultHook = &SpaceFaults.Handle;
            KernelPageFaults.OutOfMemoryHook = &UserFaults.KillOutOfMemory;
            Traps.ReturnToUserHook = &OnReturnToUser;
            Panic.ContextDescriber = &DescribeCurrent;
        }

        // The panic report's "who was running" line.
        private static void DescribeCurrent()
        {
            Thread t = Scheduler.Current;
            if (t == null) return;
            Process p = t.Process;
            if (p == null) { Console.Write("  in kernel thread "); Console.Dec(t.Id); Console.Write(" ("); Console.Write(t.Name); Console.WriteLine(")"); return; }
            Console.Write("  in pid ");
            Console.Dec(p.Pid);
            Console.Write(" (");
            p.WriteName();
            Console.Write(") tid ");
            Console.Dec(t.Id);
            Console.WriteLine();
        }

        // A new, empty process (no threads, no address space yet); null at the limit.
        public static Process Create(Process parent)
        {
            if (_live >= MaxProcesses) return null;
            var p = new Process { ChildEvents = new WaitQueue(), Parent = parent, StartedNs = Sticky.Time.Clock.NowNanoseconds };
            ulong flags = Scheduler.Lock();
            p.NextInTable = _first;
            _first = p;
            _live++;
            if (parent != null) { p.NextSibling = parent.FirstChild; parent.FirstChild = p; }
            Scheduler.Unlock(flags);
            return p;
        }

        // A thread of `p` that starts in ring 3 with the calling thread's user
        // state: the registers in `frame`, the XMM registers saved on entry,
        // and the x87/MXCSR state live in the CPU (all copied; clone and fork
        // give the new thread its creator's FPU state, as Linux does).
        // Not yet running: call Scheduler.Start. Null when out of memory, or
        // when the calling thread is to end (ExitPending: checked under the
        // lock that kill and execve mark threads under, so a thread created
        // past that point cannot escape them); the caller then says EINTR,
        // which no program sees, as the thread ends on its way out.
        public static Thread CreateThread(Process p, TrapFrame* frame)
        {
            Thread t = NewUserThread("user", &FirstEntry);
            if (t == null) return null;
            t.Process = p;
            *UserMode.FrameOf(t.StackTop) = *frame;
            byte* from = UserMode.SseAreaOf(Scheduler.Current.StackTop), to = UserMode.SseAreaOf(t.StackTop);
            for (int i = 0; i < UserMode.SseAreaSize; i++) to[i] = from[i];
            Fpu.Save(t.FpuState);
            SignalSend.InheritForNewThread(t, Scheduler.Current, p == Scheduler.Current.Process);
            ulong flags = Scheduler.Lock();
            if (Scheduler.Current.ExitPending)
            {
                Scheduler.Unlock(flags);
                Scheduler.Discard(t);
                return null;
            }
            AddThreadLocked(p, t);
            Scheduler.Unlock(flags);
            return t;
        }

        // Lock held: `t` (not yet started) is one of p's threads from now on.
        public static void AddThreadLocked(Process p, Thread t)
        {
            t.Process = p;
            t.NextInProcess = p.FirstThread;
            p.FirstThread = t;
            p.LiveThreads++;
        }

        // A thread that was told to end before it first ran leaves without
        // running a user instruction.
        private static void FirstEntry(ulong _)
        {
            Thread t = Scheduler.Current;
            if (t.ExitPending) ExitThread(0);
            // CLONE_CHILD_SETTID of a new process: into the child's own memory (a fault is ignored, as Linux).
            if (t.SetChildTid != 0) Sys.UserMemory.Write(t.SetChildTid, t.Id);
            UserMode.Enter(t.StackTop, t.FpuState);
        }

        // A suspended thread with room for a user frame and its own FPU state area.
        public static Thread NewUserThread(string name, delegate*<ulong, void> entry)
        {
            byte* fpu = (byte*)KernelHeap.Allocate(Fpu.StateSize);   // 64-byte aligned, as XSAVE needs (Fpu.cs)
            if (fpu == null) return null;
            if (((ulong)fpu & 63) != 0) throw new System.InvalidOperationException("Processes: FPU area is not 64-byte aligned");
            Thread t = Scheduler.CreateSuspended(name, entry, 0, UserMode.FrameReserve);
            if (t == null) { KernelHeap.Free(fpu); return null; }
            t.FpuState = fpu;
            return t;
        }

        // A program's first user state (exec, init): zero XMM registers, the
        // FPU as after FNINIT. Loaded into the CPU now if `t` is running.
        public static void ResetFpu(Thread t)
        {
            byte* sse = UserMode.SseAreaOf(t.StackTop);
            for (int i = 0; i < UserMode.SseAreaSize; i++) sse[i] = 0;
            // Interrupts off: a switch in between would save the old registers over the new image.
            ulong flags = Cpu.SaveAndDisableInterrupts();
            Fpu.InitState(t.FpuState);
            if (t == Scheduler.Current) Fpu.Restore(t.FpuState);
            Cpu.RestoreInterrupts(flags);
        }

        // Undoes Create for a process that never ran (fork failed half way).
        public static void Discard(Process p)
        {
            ulong flags = Scheduler.Lock();
            Unlink(p);
            RemoveChild(p.Parent, p);
            Scheduler.Unlock(flags);
            Free(p);
        }

        // The OOM killer's choice (lock held): the live, not yet dying process
        // with the most resident user pages, init excepted. Null if there is none.
        public static Process LargestResidentLocked()
        {
            Process best = null;
            ulong bestPages = 0;
            for (Process p = _first; p != null; p = p.NextInTable)
            {
                if (p == Init || p.Exiting || p.State != ProcessState.Alive || p.Space == null) continue;
                ulong pages = p.Space.ResidentPages;
                if (best == null || pages > bestPages) { best = p; bestPages = pages; }
            }
            return best;
        }

        // Lock held: is a killed process still on its way out, its memory not
        // yet all returned? (Its teardown detaches the space before freeing it,
        // so the space alone does not say; it is a zombie once all is back.)
        public static bool AnyDyingWithMemoryLocked()
        {
            for (Process p = _first; p != null; p = p.NextInTable)
                if (p.Exiting && p.State == ProcessState.Alive) return true;
            return false;
        }

        // Lock held: the table must not change under the walk, nor the result be freed.
        public static Process FindLocked(int pid)
        {
            for (Process p = _first; p != null; p = p.NextInTable) if (p.Pid == pid) return p;
            return null;
        }

        private static void RemoveThread(Process p, Thread t)
        {
            if (p.FirstThread == t) p.FirstThread = t.NextInProcess;
            else
                for (Thread o = p.FirstThread; o != null; o = o.NextInProcess)
                    if (o.NextInProcess == t) { o.NextInProcess = t.NextInProcess; break; }
            t.NextInProcess = null;
            p.LiveThreads--;
        }

        private static void RemoveChild(Process parent, Process child)
        {
            if (parent == null) return;
            if (parent.FirstChild == child) { parent.FirstChild = child.NextSibling; return; }
            for (Process c = parent.FirstChild; c != null; c = c.NextSibling)
                if (c.NextSibling == child) { c.NextSibling = child.NextSibling; return; }
        }

        private static void Unlink(Process p)
        {
            _live--;
            if (_first == p) { _first = p.NextInTable; return; }
            for (Process o = _first; o != null; o = o.NextInTable)
                if (o.NextInTable == p) { o.NextInTable = p.NextInTable; return; }
        }
    }
}
