namespace Sticky.Mm
{
    // How mm code invalidates cached translations after it changes or removes a
    // present entry. Kernel: invlpg (a shootdown once there is SMP).
    // Host tests: RecordingTlb, which logs calls so a test can check ordering.
    // Same rules as IPhysicalMemory: a struct, used only as a generic constraint.
    //
    // Invalidation takes a VirtualAddress on purpose: the TLB caches virtual
    // pages, and a physical address must not compile here.
    public interface ITlb
    {
        void InvalidatePage(VirtualAddress page);
    }
}
