using Sticky.Debug;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    public static unsafe class SysMisc
    {
        // struct utsname: six 65-byte fields.
        public static long Uname(ulong buffer)
        {
            const int Field = 65;
            byte* u = stackalloc byte[Field * 6];
            for (int i = 0; i < Field * 6; i++) u[i] = 0;
            Put(u + 0 * Field, "stickyos");
            Put(u + 1 * Field, "sticky");
            Put(u + 2 * Field, Kernel.Version);
            Put(u + 3 * Field, "stickyos " + Kernel.Version);
            Put(u + 4 * Field, "x86_64");
            Put(u + 5 * Field, "(none)");
            return UserMemory.CopyOut(buffer, u, Field * 6) ? 0 : -Errno.EFAULT;
        }

        private static void Put(byte* into, string s)
        {
            for (int i = 0; i < s.Length && i < 64; i++) into[i] = (byte)s[i];
        }

        // The test runner's leak check (stickyos-private syscall 1000).
        public static void PrintAccounting()
        {
            Console.Write("acct free-frames=");
            Console.Dec((long)KernelMemory.FramesAccountedFree);
            Console.Write(" heap-bytes=");
            Console.Dec(KernelHeap.BytesInUse);
            Console.Write(" processes=");
            Console.Dec(Processes.LiveCount);
            Console.Write(" pinned-frames=");
            Console.Dec((long)KernelMemory.Frames.PinnedFrames);
            Console.WriteLine();
        }
    }
}
