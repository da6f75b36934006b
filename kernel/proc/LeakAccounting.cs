using Sticky.Debug;
using Sticky.Mm;
using Sticky.Platform;

namespace Sticky.Proc
{
    // The test runner's leak check (tools/testlib/guestrun.py). With `acct` on
    // the kernel command line (tools/run-guest passes it) the kernel prints
    //     acct free-frames=N heap-bytes=N processes=N pinned-frames=N inodes=N open-files=N
    // whenever init's wait4 finds nothing (more) to reap without sleeping:
    // ECHILD, or 0 under WNOHANG. init does that before its first program (the
    // baseline) and after each program, once it has reaped it and every orphan
    // already a zombie (kernel/user/init.c), so each line can be compared with
    // the one before. No syscall number of its own: nothing a Linux program
    // calls can print it, and an unknown number is ENOSYS.
    //
    // With several CPUs, "nothing to reap" can come a moment too early: an
    // orphan woken by its parent's exit (a pipe closing) may still be running
    // on another CPU, and a thread that has exited may not yet be off its CPU
    // (its stack not yet freed). Settle gives both a bounded time to finish.
    public static unsafe class LeakAccounting
    {
        private const ulong SettleNs = 2_000_000_000;
        private static bool _on;

        // In init's wait4, when it found nothing to reap: waits up to 2 s for a
        // live child to become a zombie (true: reap it, then ask again), then
        // for exited threads to be freed. Not in accounting mode: returns false.
        public static bool Settle(Process caller, int pid, int pgid, int options)
        {
            if (!_on || caller != Processes.Init) return false;
            ulong deadline = Sticky.Time.Clock.NowNanoseconds + SettleNs;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                Process zombie = Processes.FindZombieLocked(caller, pid, pgid, options, out bool hasChild);
                if (zombie != null) { Scheduler.Unlock(flags); return true; }
                if (!hasChild) { Scheduler.Unlock(flags); break; }
                if (Scheduler.WaitLocked(caller.ChildEvents, deadline, flags) != WakeReason.Woken) break;
            }
            Reaper.WaitUntilIdle(Sticky.Time.Clock.NowNanoseconds + SettleNs);
            return false;
        }

        public static void Init(CommandLine* commandLine) => _on = commandLine->Has("acct");

        // wait4 of `caller` returned without a child and without sleeping.
        public static void NothingToReap(Process caller)
        {
            if (!_on || caller != Processes.Init) return;
            ulong flags = Console.Lock();
            Console.Write("acct free-frames=");
            Console.Dec((long)KernelMemory.FramesAccountedFree);
            Console.Write(" heap-bytes=");
            Console.Dec(KernelHeap.BytesInUse);
            Console.Write(" processes=");
            Console.Dec(Processes.LiveCount);
            Console.Write(" pinned-frames=");
            Console.Dec((long)KernelMemory.Frames.PinnedFrames);
            Console.Write(" inodes=");
            Console.Dec(Sticky.Fs.Vfs.InodeCount);
            Console.Write(" open-files=");
            Console.Dec(Sticky.Io.File.Live);
            Console.WriteLine();
            Console.Unlock(flags);
        }
    }
}
