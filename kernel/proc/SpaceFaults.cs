using Sticky.Arch;
using Sticky.Mm;

namespace Sticky.Proc
{
    // A page fault on the lower half, resolved under the lock of the faulting
    // process's space (KernelPageFaults.SpaceFaultHook): two CPUs breaking COW on one
    // page resolve it one after the other (the second finds it writable and
    // copies nothing), a fault never sees a region array being grown or a page
    // table being freed, and a thread that writes a page fork is copying
    // eagerly waits for the copy (fork holds the lock) instead of being
    // killed for writing a read-only page.
    public static unsafe class SpaceFaults
    {
        private const ulong InterruptFlag = 1 << 9;

        // Entered with interrupts off (the fault's gate). Returns with them off.
        public static FaultVerdict Handle(in PageFault fault, TrapFrame* frame)
        {
            Process p = Processes.Current;
            if (p == null)
            {
                // A kernel thread: only self-tests touch the lower half, on a space of their own.
                var loaded = LoadedSpaces.OnThisCpu;
                return loaded == null ? FaultVerdict.NoRegion : loaded.HandleFault(fault.Address, fault.IsWrite, fault.IsUser, fault.IsExecute);
            }
            // Kernel code reading user memory with interrupts off (the syscall
            // trace, inside its console line) must not sleep or take the lock:
            // the access fails as a bad pointer would (the trace prints the pointer).
            if ((frame->Rflags & InterruptFlag) == 0) return FaultVerdict.NoRegion;
            // The faulting code could be interrupted, so it can wait: sleep for the lock.
            Cpu.EnableInterrupts();
            var space = p.LockSpace();
            FaultVerdict v = space == null ? FaultVerdict.NoRegion
                : space.HandleFault(fault.Address, fault.IsWrite, fault.IsUser, fault.IsExecute);
            Process.UnlockSpace(space);
            Cpu.DisableInterrupts();
            return v;
        }
    }
}
