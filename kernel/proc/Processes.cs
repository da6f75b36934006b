using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Io;
using Sticky.Mm;

namespace Sticky.Proc
{
    // The process table and the life cycle of user threads: creation around a
    // prepared user frame, exit, group exit, teardown to a zombie, reaping.
    // Tree and thread-list changes happen under the scheduler lock.
    public static unsafe class Processes
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
            fixed (byte* name = p.Name) Console.WriteBytes(name, p.NameLength);
            Console.Write(") tid ");
            Console.Dec(t.Id);
            Console.WriteLine();
        }

        // A new, empty process (no threads, no address space yet); null at the limit.
        public static Process Create(Process parent)
        {
            if (_live >= MaxProcesses) return null;
            var p = new Process { ChildEvents = new WaitQueue(), Parent = parent };
            ulong flags = Scheduler.Lock();
            p.NextInTable = _first;
            _first = p;
            _live++;
            if (parent != null) { p.NextSibling = parent.FirstChild; parent.FirstChild = p; }
            Scheduler.Unlock(flags);
            return p;
        }

        // A thread of `p` that starts in ring 3 with the registers in `frame` and
        // the SSE state in `fpu` (both copied). Not yet running: call Scheduler.Start.
        public static Thread CreateThread(Process p, TrapFrame* frame, byte* fpu)
        {
            Thread t = Scheduler.CreateSuspended("user", &FirstEntry, 0, UserMode.FrameReserve);
            if (t == null) return null;
            t.Process = p;
            *UserMode.FrameOf(t.StackTop) = *frame;
            byte* area = UserMode.FpuAreaOf(t.StackTop);
            for (int i = 0; i < UserMode.FpuAreaSize; i++) area[i] = fpu[i];
            ulong flags = Scheduler.Lock();
            t.NextInProcess = p.FirstThread;
            p.FirstThread = t;
            p.LiveThreads++;
            Scheduler.Unlock(flags);
            return t;
        }

        private static void FirstEntry(ulong _) => UserMode.Enter(Scheduler.Current.StackTop);

        // Undoes Create for a process that never ran (fork failed half way).
        public static void Discard(Process p)
        {
            ulong flags = Scheduler.Lock();
            Unlink(p);
            RemoveChild(p.Parent, p);
            Scheduler.Unlock(flags);
            Free(p);
        }

        // The OOM killer's choice: the live, not yet dying process with the most
        // resident user pages, init excepted. Null if there is none.
        public static Process LargestResident()
        {
            Process best = null;
            ulong bestPages = 0;
            for (Process p = _first; p != null; p = p.NextInTable)
            {
                if (p == Init || p.Exiting || p.State != ProcessState.Alive || p.Space == null) continue;
                ulong pages = p.Space.CountPresentPages();
                if (best == null || pages > bestPages) { best = p; bestPages = pages; }
            }
            return best;
        }

        public static Process Find(int pid)
        {
            for (Process p = _first; p != null; p = p.NextInTable) if (p.Pid == pid) return p;
            return null;
        }

        // ---- exit ---------------------------------------------------------

        // exit_group, a fatal signal, a fault: every thread of `p` ends, and the
        // process reports `waitStatus`. Threads blocked in the kernel are woken
        // (their wait returns EINTR) and exit on their way back to user mode.
        public static void Kill(Process p, int waitStatus)
        {
            if (p.Exiting) return;   // the first reason wins, as in Linux
            p.Exiting = true;
            p.WaitStatus = waitStatus;
            for (Thread t = p.FirstThread; t != null; t = t.NextInProcess)
                if (t != Scheduler.Current) Scheduler.Interrupt(t);
        }

        // The calling thread leaves; the last one out tears the process down. Never returns.
        public static void ExitThread(int exitCodeIfLast)
        {
            Thread t = Scheduler.Current;
            Process p = t.Process;
            if (!p.Exiting && p.LiveThreads == 1) p.WaitStatus = (exitCodeIfLast & 0xFF) << 8;
            if (t.ClearChildTid != 0)
            {
                // pthread_join waits for the kernel to clear the tid word and wake it.
                if (Sys.UserMemory.Write(t.ClearChildTid, 0)) Sys.Futexes.WakeAtExit(t.ClearChildTid);
                t.ClearChildTid = 0;
            }
            ulong flags = Scheduler.Lock();
            RemoveThread(p, t);
            bool last = p.LiveThreads == 0;
            Scheduler.Unlock(flags);
            if (last) Teardown(p);
            // Once p is a zombie its parent may reap and free it at any moment:
            // this thread lets go of it first, and nothing runs in between.
            t.Process = null;
            Cpu.DisableInterrupts();
            if (last) BecomeZombie(p);
            Scheduler.Exit();
        }

        private static void OnReturnToUser(TrapFrame* frame)
        {
            Process p = Current;
            if (p != null && p.Exiting) ExitThread(0);
        }

        // Everything but the zombie itself goes: memory, files; children go to init.
        private static void Teardown(Process p)
        {
            if (Log.On(Subsystem.Proc, Level.Debug))
            {
                Log.Begin(Subsystem.Proc, Level.Debug);
                Console.Write("exit");
                Log.Value("pid", p.Pid);
                Log.Hex("status", (ulong)p.WaitStatus);
                Log.End();
            }
            p.Files.Destroy();
            p.Files = null;
            KernelPageFaults.Switch(null);   // never free the tables CR3 points at
            p.Space.Destroy();
            KernelHeap.Free(p.Space);
            p.Space = null;

            if (p == Init) PowerOff(p.WaitStatus);

            ulong flags = Scheduler.Lock();
            while (p.FirstChild != null)
            {
                Process c = p.FirstChild;
                p.FirstChild = c.NextSibling;
                c.Parent = Init;
                c.NextSibling = Init.FirstChild;
                Init.FirstChild = c;
                if (c.State == ProcessState.Zombie) Scheduler.WakeLocked(Init.ChildEvents, int.MaxValue);
            }
            Scheduler.Unlock(flags);
        }

        private static void BecomeZombie(Process p)
        {
            ulong flags = Scheduler.Lock();
            p.State = ProcessState.Zombie;
            Scheduler.WakeLocked(p.Parent.ChildEvents, int.MaxValue);
            Scheduler.Unlock(flags);
        }

        private static void PowerOff(int waitStatus)
        {
            Console.Write("init: exited with status ");
            Console.Dec(waitStatus >> 8);
            if ((waitStatus & 0x7F) != 0) { Console.Write(", killed by signal "); Console.Dec(waitStatus & 0x7F); }
            Console.WriteLine("; powering off");
            Machine.Exit(waitStatus == 0 ? Machine.ExitSuccess : Machine.ExitFailure);
        }

        // ---- reaping ------------------------------------------------------

        // A zombie child of `parent` matching `pid` (-1: any) under the lock, or null.
        // `hasMatchingChild` says whether waiting could ever succeed.
        public static Process FindZombieLocked(Process parent, int pid, out bool hasMatchingChild)
        {
            hasMatchingChild = false;
            for (Process c = parent.FirstChild; c != null; c = c.NextSibling)
            {
                if (pid > 0 && c.Pid != pid) continue;
                hasMatchingChild = true;
                if (c.State == ProcessState.Zombie) return c;
            }
            return null;
        }

        // Removes a zombie from the tree and frees it (lock held by the caller).
        public static void ReapLocked(Process zombie)
        {
            RemoveChild(zombie.Parent, zombie);
            Unlink(zombie);
        }

        public static void Free(Process p)
        {
            KernelHeap.Free(p.ChildEvents);
            KernelHeap.Free(p.Name);
            KernelHeap.Free(p);
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
