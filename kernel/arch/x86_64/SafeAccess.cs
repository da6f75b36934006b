using System.Runtime;
using System.Runtime.CompilerServices;

namespace Sticky.Arch
{
    // Accesses that are allowed to fault (asm/safe_access.asm). The fault
    // handlers first give the memory manager a chance (demand paging, COW);
    // only if the access really cannot be satisfied does the fixup make the
    // call return false. User copies (EFAULT) are built on these, and each
    // opens the SMAP window (stac/clac) around its own access only.
    public static unsafe class SafeAccess
    {
        [RuntimeImport("*", "safe_copy")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern int Copy(void* dst, void* src, ulong count);
        [RuntimeImport("*", "safe_read64")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern int Read64(ulong address, ulong* value);
        [RuntimeImport("*", "safe_write64")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern int Write64(ulong address, ulong value);
        [RuntimeImport("*", "safe_zero")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern int Zero(void* dst, ulong count);
        [RuntimeImport("*", "safe_access_table")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern ulong* Table(ulong** end);
        [RuntimeImport("*", "user_access_begin")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void BeginUserAccess();
        [RuntimeImport("*", "user_access_end")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void EndUserAccess();
        [RuntimeImport("*", "user_access_use_smap")] [MethodImpl(MethodImplOptions.InternalCall)] public static extern void UseSmap();

        public static bool TryCopy(void* dst, void* src, ulong count) => Copy(dst, src, count) == 0;
        public static bool TryRead(ulong address, out ulong value) { ulong v; bool ok = Read64(address, &v) == 0; value = v; return ok; }
        public static bool TryWrite(ulong address, ulong value) => Write64(address, value) == 0;
        public static bool TryZero(void* dst, ulong count) => Zero(dst, count) == 0;

        // Called by the fault path: if `frame` faulted on a safe-access
        // instruction, redirect it to its fixup and report true.
        public static bool ApplyFixup(TrapFrame* frame)
        {
            ulong* end;
            for (ulong* e = Table(&end); e < end; e += 2)
            {
                if (e[0] != frame->Rip) continue;
                frame->Rip = e[1];
                return true;
            }
            return false;
        }
    }
}
