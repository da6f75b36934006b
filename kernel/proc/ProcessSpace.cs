using Sticky.Mm;

namespace Sticky.Proc
{
    // A process's hold on its address space, which a vfork child shares with
    // its parent (CLONE_VM|CLONE_VFORK) until it execs or exits; and the
    // parent's release at that moment.
    public static unsafe partial class Processes
    {
        // The process lets go of its address space (exit, or exec to a new
        // one); the last user destroys it. Not the space CR3 holds.
        public static void DropSpace(AddressSpace<DirectMap, CpuTlb> space)
        {
            ulong flags = Scheduler.Lock();
            bool last = space.RemoveUser();
            Scheduler.Unlock(flags);
            if (!last) return;
            SpaceState.Destroy(space);
        }

        public static void ShareSpace(AddressSpace<DirectMap, CpuTlb> space)
        {
            ulong flags = Scheduler.Lock();
            space.AddUser();
            Scheduler.Unlock(flags);
        }

        // The vfork child has exec'd or is exiting: its parent's thread, suspended
        // in clone since, goes on (mm_release in Linux).
        public static void ReleaseVforkParent(Process child)
        {
            ulong flags = Scheduler.Lock();
            Thread parent = child.VforkParent;
            child.VforkParent = null;
            if (parent != null) Scheduler.WakeThreadLocked(parent);
            Scheduler.Unlock(flags);
        }

        // In the parent, right after starting a vfork child: wait for its release.
        // False if the parent was killed meanwhile (it no longer waits).
        public static bool AwaitVforkRelease(Process child)
        {
            ulong flags = Scheduler.Lock();
            while (child.VforkParent != null)
            {
                if (Scheduler.BlockLocked(0, flags) == WakeReason.Interrupted)
                {
                    flags = Scheduler.Lock();
                    child.VforkParent = null;   // nobody to wake any more
                    Scheduler.Unlock(flags);
                    return false;
                }
                flags = Scheduler.Lock();
            }
            Scheduler.Unlock(flags);
            return true;
        }
    }
}
