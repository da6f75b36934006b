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
    public static unsafe class LeakAccounting
    {
        private static bool _on;

        public static void Init(CommandLine* commandLine) => _on = commandLine->Has("acct");

        // wait4 of `caller` returned without a child and without sleeping.
        public static void NothingToReap(Process caller)
        {
            if (!_on || caller != Processes.Init) return;
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
        }
    }
}
