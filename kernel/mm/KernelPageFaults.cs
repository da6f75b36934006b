using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;

namespace Sticky.Mm
{
    // The page-fault path in order: the memory manager (demand-zero, COW)
    // for the running address space; then safe-access fixups (user copies that
    // must fail with EFAULT); then the verdict for the guard page below a kernel
    // stack; anything left is a kernel bug and panics (Exceptions.Handle).
    public static unsafe class KernelPageFaults
    {
        // Set by the process layer: a user fault that found no free frame. True: retry the
        // access (another process was killed to free memory); it does not return otherwise.
        public static delegate*<TrapFrame*, bool> OutOfMemoryHook;

        // Set by the process layer: resolves a lower-half fault in the running
        // thread's address space, under that space's lock (proc/SpaceFaults.cs).
        public static delegate*<in PageFault, TrapFrame*, FaultVerdict> SpaceFaultHook;

        // The address space this CPU has loaded (interrupts off).
        private static AddressSpace<DirectMap, CpuTlb> Current => LoadedSpaces.OnThisCpu;

        public static void Install()
        {
            Exceptions.FaultHook = &Handle;
            Panic.RegionDescriber = &DescribeRegion;
        }

        private static bool Handle(TrapFrame* frame)
        {
            if (frame->Vector == Exceptions.PageFault)
            {
                var fault = new PageFault(Cpu.ReadCr2(), frame->ErrorCode);
                if (!frame->FromUser && fault.Address.IsLowerHalf) RefuseKernelUseOfUserPage(fault, frame);
                if (fault.Address.IsLowerHalf && !fault.IsReservedBitSet && (SpaceFaultHook != null || Current != null))
                {
                    // For the debug log only, read without the space's lock.
                    VirtualAddress page = fault.Address.PageBase;
                    PageTableEntry before = default;
                    bool cow = fault.IsWrite && Log.On(Subsystem.Mm, Level.Debug) && Current != null
                               && Current.Table.GetEntry(page, out before) && before.IsPresent && before.IsCow;
                    FrameNumber old = before.Frame;
                    // Before processes exist (self-tests), the loaded space, with nobody to race.
                    FaultVerdict v = SpaceFaultHook != null ? SpaceFaultHook(fault, frame)
                        : Current.HandleFault(fault.Address, fault.IsWrite, fault.IsUser, fault.IsExecute);
                    if (Log.On(Subsystem.Mm, Level.Trace)) LogFault(fault, frame, v);
                    if (cow && v == FaultVerdict.Handled) LogCopyOnWrite(page, old);
                    if (v == FaultVerdict.Handled) return true;
                    // The OOM killer frees memory (or kills the faulting process); then the access is retried.
                    if (v == FaultVerdict.OutOfMemory && frame->FromUser && OutOfMemoryHook != null && OutOfMemoryHook(frame))
                        return true;
                }
                if (!frame->FromUser && SafeAccess.ApplyFixup(frame)) return true;
                // Only the kernel can overflow a kernel stack; a user access there is an ordinary SIGSEGV.
                if (!frame->FromUser && KernelStacks.IsGuardPage(fault.Address.Value))
                    Panic.Trap("kernel stack overflow (hit the guard page)", frame);
            }
            else if (frame->Vector == Exceptions.DoubleFault && KernelStacks.IsGuardPage(Cpu.ReadCr2()))
            {
                // The #PF on the guard page could not push its frame on the same stack.
                Panic.Trap("kernel stack overflow: Double fault (#DF) on the guard page", frame);
            }
            return false;
        }

        // A kernel fault on a present user page is SMEP (an instruction fetch)
        // or SMAP (an access outside the user-copy routines, which set RFLAGS.AC:
        // SMAP's window). Both are kernel bugs: say which, instead of finding
        // the page fine, "resolving" the fault and retrying it forever. (A
        // not-present page goes the usual way: a user copy demand-pages it;
        // anything else comes back here present, or panics as a plain #PF.)
        private static void RefuseKernelUseOfUserPage(in PageFault fault, TrapFrame* frame)
        {
            const ulong AlignmentCheckFlag = 1UL << 18;   // RFLAGS.AC: the SMAP window is open
            if (!fault.IsPresent) return;
            if (fault.IsExecute && CpuProtections.Smep)
                Panic.Trap("SMEP: the kernel jumped to code in a user page", frame);
            if (!fault.IsExecute && CpuProtections.Smap && (frame->Rflags & AlignmentCheckFlag) == 0)
                Panic.Trap("SMAP: the kernel touched a user page outside a user copy (no stac/clac window)", frame);
        }

        // mm: fault 0x7fffffffe000 write user present rip=0x401a2b -> Handled   (log=mm:trace)
        private static void LogFault(in PageFault fault, TrapFrame* frame, FaultVerdict v)
        {
            Log.Begin(Subsystem.Mm, Level.Trace);
            Console.Write("fault ");
            Console.Address(fault.Address.Value);
            Console.Write(fault.IsWrite ? " write" : " read");
            Console.Write(fault.IsUser ? " user" : " kernel");
            Console.Write(fault.IsPresent ? " present" : " not-present");
            Log.Hex("rip", frame->Rip);
            Console.Write(" -> ");
            Console.Write(v == FaultVerdict.Handled ? "resolved" : v == FaultVerdict.OutOfMemory ? "out of memory"
                          : v == FaultVerdict.NoRegion ? "no region" : "access violation");
            Log.End();
        }

        // mm: copy-on-write pid=3 page=0x7fffffffc000 frame 0x41d000 -> 0x452000   (log=mm:debug)
        // The frame a private page had, and the one a write left it with: a
        // copy, or the same frame when this process was its last owner.
        private static void LogCopyOnWrite(VirtualAddress page, FrameNumber old)
        {
            if (Current == null) return;
            Current.Table.GetEntry(page, out PageTableEntry now);
            Log.Begin(Subsystem.Mm, Level.Debug);
            Console.Write("copy-on-write");
            Sticky.Proc.Thread t = Sticky.Proc.Scheduler.Current;
            Log.Value("pid", t.Process != null ? t.Process.Pid : 0);
            Log.Hex("page", page.Value);
            Console.Write(" frame ");
            Console.Address(old.Address.Value);
            Console.Write(" -> ");
            Console.Address(now.Frame.Address.Value);
            Console.Write(now.Frame.Value == old.Value ? " (kept: its last owner)" : " (copied)");
            Log.End();
        }

        private static void DescribeRegion(ulong address)
        {
            if (KernelStacks.IsGuardPage(address)) { Console.Write("(kernel stack guard page)"); return; }
            if (Current == null || !new VirtualAddress(address).IsLowerHalf) { Console.Write("(no user region)"); return; }
            if (!Current.FindRegion(new VirtualAddress(address), out Region r)) { Console.Write("(no region)"); return; }
            Console.Write("(region ");
            Console.Address(r.Start.Value);
            Console.Write("-");
            Console.Address(r.End.Value);
            Console.Write(")");
        }
    }

    // Where kernel stacks and their guard pages are: the boot stack and every thread's.
    public static unsafe class KernelStacks
    {
        public static ulong BootGuardPage;

        public static bool IsGuardPage(ulong address) =>
            (BootGuardPage != 0 && address >= BootGuardPage && address < BootGuardPage + Paging.PageSize)
            || KernelStackAllocator.IsGuard(address);
    }
}
