namespace Sticky.Mm
{
    // How mm code invalidates cached translations after it changes or removes a
    // present entry. Kernel: invlpg and a CR3 reload (a shootdown once there is
    // SMP). Host tests: RecordingTlb, which logs calls so a test can check ordering.
    // Same rules as IPhysicalMemory: a struct, used only as a generic constraint.
    //
    // Invalidation takes a VirtualAddress on purpose: the TLB caches virtual
    // pages, and a physical address must not compile here.
    public interface ITlb
    {
        void InvalidatePage(VirtualAddress page);

        // Every user-half translation at once: what a walk that changed many
        // entries (fork, a large munmap) calls once at its end instead of once
        // per page. The kernel half is Global and survives it.
        void InvalidateAll();
    }
}
