namespace Sticky.Mm
{
    // How mm code invalidates cached translations after it changes or removes a
    // present entry. Kernel: CpuTlb (local invlpg or CR3 reload, and shootdowns
    // to the other CPUs that may cache the space). Host tests: RecordingTlb,
    // which logs calls so a test can check ordering. Same rules as
    // IPhysicalMemory: a struct, used only as a generic constraint.
    //
    // Two steps, so that one walk that changes many entries costs one round of
    // inter-processor interrupts, not one per page:
    //   InvalidatePage  this page's cached translations are stale; they may
    //                   survive, on any CPU, until the next Flush;
    //   InvalidateAll   the same for every user-half translation (the kernel
    //                   half is Global and survives): what a walk that changed
    //                   many entries (fork, a large munmap) notes instead;
    //   Flush           returns once every CPU that may cache this address
    //                   space has dropped every translation invalidated since
    //                   the last Flush (nothing to do if there is none).
    // Code relies on a change only after Flush: before it frees or reuses a
    // frame it unmapped, copies a page it write-protected, or returns to its
    // caller (who may let user code run). Making a non-present entry present,
    // or an entry more permissive, needs neither: the CPU caches no
    // non-present entries, and a stale, stricter one faults and the fault
    // path finds the new entry.
    //
    // Invalidation takes a VirtualAddress on purpose: the TLB caches virtual
    // pages, and a physical address must not compile here.
    public interface ITlb
    {
        void InvalidatePage(VirtualAddress page);
        void InvalidateAll();
        void Flush();
    }
}
