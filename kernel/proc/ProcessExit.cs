using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Mm;

namespace Sticky.Proc
{
    // How processes end: a thread's exit, a group exit (exit_group, fatal
    // fault, kill), the teardown of the last thread's process to a zombie, and
    // reaping by wait4.
    public static unsafe partial class Processes
    {
        // ---- exit ---------------------------------------------------------

        // exit_group, a fatal signal, a fault: every thread of `p` ends, and the
        // process reports `waitStatus`. Threads blocked in the kernel are woken
        // (their wait returns EINTR) and exit on their way back to user mode.
        public static void Kill(Process p, int waitStatus)
        {
            ulong flags = Scheduler.Lock();
            KillLocked(p, waitStatus);
            Scheduler.Unlock(flags);
        }

        // The scheduler lock keeps p's thread list (and p) from changing under the walk.
        public static void KillLocked(Process p, int waitStatus)
        {
            if (p.Exiting || p.State != ProcessState.Alive) return;   // the first reason wins, as in Linux
            p.Exiting = true;
            p.WaitStatus = waitStatus;
            for (Thread t = p.FirstThread; t != null; t = t.NextInProcess)
                if (t != Scheduler.Current) Scheduler.InterruptLocked(t);
        }

        // The calling thread leaves; the last one out tears the process down. Never returns.
        public static void ExitThread(int exitCodeIfLast)
        {
            Thread t = Scheduler.Current;
            Process p = t.Process;
            if (!p.Exiting && p.LiveThreads == 1) p.WaitStatus = (exitCodeIfLast & 0xFF) << 8;
            Sys.Futexes.OnThreadExit(t);   // robust list and PI locks first, as Linux's futex_cleanup
            if (t.ClearChildTid != 0)
            {
                // pthread_join waits for the kernel to clear the tid word and wake it.
                if (Sys.UserMemory.Write(t.ClearChildTid, 0)) Sys.Futexes.WakeAtExit(t.ClearChildTid);
                t.ClearChildTid = 0;
            }
            ulong flags = Scheduler.Lock();
            SignalSend.ThreadExitingLocked(t);
            RemoveThread(p, t);
            Reaper.DyingLocked(t);   // before its parent can see p a zombie and count what is left
            bool last = p.LiveThreads == 0;
            Scheduler.Unlock(flags);
            if (last) Teardown(p);
            // Once p is a zombie its parent may reap and free it at any moment:
            // this thread lets go of it first, and nothing runs in between.
            // (The reaper frees the thread itself once its CPU has left it.)
            t.Process = null;
            Cpu.DisableInterrupts();
            if (last) BecomeZombie(p);
            Scheduler.Exit();
        }

        // Every return to ring 3 (Traps.ReturnToUserHook, the end of a syscall):
        // a thread whose process is being killed leaves here.
        public static void OnReturnToUser(TrapFrame* frame)
        {
            Thread t = Scheduler.Current;
            if (t.Process == null) return;
            // From an interrupt or exception the gate turned interrupts off. Exiting
            // and writing a signal frame touch user memory, and a fault there may
            // sleep for the space lock (SpaceFaults): that work runs with interrupts
            // on, as at a syscall's end. Not on an IST stack (NMI, double fault,
            // machine check): it waits for the next return to ring 3.
            bool fromTrap = frame->Vector != UserMode.SyscallVector;
            if (fromTrap)
            {
                if (!t.ExitPending && !t.SigPendingFlag && !t.RestoreSigMask) return;
                ulong v = frame->Vector;
                if (v == Exceptions.Nmi || v == Exceptions.DoubleFault || v == Exceptions.MachineCheck) return;
                Cpu.EnableInterrupts();
            }
            if (t.ExitPending) ExitThread(0);
            SignalDelivery.OnReturnToUser(frame);
            if (fromTrap) Cpu.DisableInterrupts();
        }

        // execve in a multi-threaded process: every other thread ends (as in
        // Linux) before the new image replaces the old. False if the process is
        // being killed meanwhile, or another thread's execve or a kill came
        // first (the exec is abandoned; the caller exits too).
        public static bool EndOtherThreads(Process p)
        {
            Thread self = Scheduler.Current;
            ulong flags = Scheduler.Lock();
            // Two threads in execve at once: the first to get here wins, the
            // other is already marked and must not wait for the winner.
            bool first = !self.ExitPending;
            if (first)
                for (Thread t = p.FirstThread; t != null; t = t.NextInProcess)
                    if (t != self) { t.MustExit = true; Scheduler.InterruptLocked(t); }
            Scheduler.Unlock(flags);
            if (!first) return false;
            // They leave on their way back to user mode; a spinning one at its
            // next tick, one about to sleep at the sleep (Scheduler.WaitLocked).
            while (p.LiveThreads > 1 && !p.Exiting) Scheduler.Sleep(1_000_000);
            return !p.Exiting;
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
            ReleaseVforkParent(p);
            // Detached under the scheduler lock, where /proc reads another
            // process's (KernelProcFs), then let go outside it.
            ulong detach = Scheduler.Lock();
            Sticky.Io.FileTable files = p.Files;
            Sticky.Fs.Directory cwd = p.Cwd;
            p.Files = null;
            p.Cwd = null;
            Scheduler.Unlock(detach);
            files.Destroy();
            Sticky.Fs.Vfs.Put(cwd);
            if (p.Sid == p.Pid) Sticky.Tty.Terminal.SessionLeaderExiting(p);
            // Detach the space first, under its lock: nothing finds it through p
            // any more, and a switch back to this thread loads only the kernel
            // half (Scheduler.Switch loads what p.Space says). The last user
            // (a vfork parent may still run on it) destroys it, after every CPU
            // has let go of it (SpaceState.Destroy).
            var space = p.LockSpace();
            p.Space = null;
            Process.UnlockSpace(space);
            DropSpace(space);
            Sys.SysvIpc.ProcessGone(p);   // SEM_UNDO; a removed SysV segment goes with its last attachment

            if (p == Init) PowerOff(p.WaitStatus);

            ulong flags = Scheduler.Lock();
            while (p.FirstChild != null)
            {
                Process c = p.FirstChild;
                p.FirstChild = c.NextSibling;
                c.Parent = Init;
                c.ExitSignal = Signals.SIGCHLD;   // init reaps it like any child, as Linux
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
            Process parent = p.Parent;
            bool autoReap = SignalChild.NotifyParentLocked(p);
            if (autoReap) ReapLocked(p);
            Scheduler.WakeLocked(parent.ChildEvents, int.MaxValue);
            Scheduler.Unlock(flags);
            if (autoReap) Free(p);
        }

        private static void PowerOff(int waitStatus)
        {
            Console.Write("init: exited with status ");
            Console.Dec(waitStatus >> 8);
            if ((waitStatus & 0x7F) != 0) { Console.Write(", killed by signal "); Console.Dec(waitStatus & 0x7F); }
            Console.WriteLine("; powering off");
            TlbShootdown.PrintCounts();
            Machine.Exit(waitStatus == 0 ? Machine.ExitSuccess : Machine.ExitFailure);
        }

        // ---- reaping ------------------------------------------------------

        // A zombie child of `parent` matching `pid` (-1: any), process group
        // `pgid` (0: any) and `options` under the lock, or null.
        // `hasMatchingChild` says whether waiting could ever succeed.
        // `options`: __WCLONE waits only for "clone" children (exit signal other
        // than SIGCHLD), __WALL for all; without them only for the others.
        public static Process FindZombieLocked(Process parent, int pid, int pgid, int options, out bool hasMatchingChild)
        {
            const int WALL = 0x40000000, WCLONE = unchecked((int)0x80000000);
            hasMatchingChild = false;
            for (Process c = parent.FirstChild; c != null; c = c.NextSibling)
            {
                if ((pid > 0 && c.Pid != pid) || (pgid != 0 && c.Pgid != pgid)) continue;
                if ((options & WALL) == 0 && (c.ExitSignal != Signals.SIGCHLD) != ((options & WCLONE) != 0)) continue;
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
            p.SharedPending.Clear();
            p.Actions.Release();
            KernelHeap.Free(p.Actions);
            KernelHeap.Free(p.ChildEvents);
            KernelHeap.Free(p.Name);
            if (p.ExePath != null) KernelHeap.Free(p.ExePath);
            KernelHeap.Free(p);
        }
    }
}
