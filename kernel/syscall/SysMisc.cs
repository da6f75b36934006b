using Sticky.Debug;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    public static unsafe class SysMisc
    {
        // struct utsname: six 65-byte fields: stickyos, sticky, 6.1.0-stickyos-0.1.0,
        // #1 stickyos 0.1.0, x86_64, (none).
        public static long Uname(ulong buffer)
        {
            const int Field = 65;
            byte* u = stackalloc byte[Field * 6];
            for (int i = 0; i < Field * 6; i++) u[i] = 0;
            Put(u + 0 * Field, "stickyos");
            Put(u + 1 * Field, "sticky");
            // release in Linux's form (programs parse major.minor.patch): the Linux
            // ABI it follows, then the kernel's own version.
            Put(u + 2 * Field, "6.1.0-stickyos-" + Kernel.Version);
            Put(u + 3 * Field, "#1 stickyos " + Kernel.Version);
            Put(u + 4 * Field, "x86_64");
            Put(u + 5 * Field, "(none)");
            return UserMemory.CopyOut(buffer, u, Field * 6) ? 0 : -Errno.EFAULT;
        }

        private static void Put(byte* into, string s)
        {
            for (int i = 0; i < s.Length && i < 64; i++) into[i] = (byte)s[i];
        }
    }
}
