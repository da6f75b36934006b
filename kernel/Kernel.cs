using System.Runtime;
using Sticky.Arch;
using Sticky.Debug;
using Sticky.Platform;
using Sticky.Time;

namespace Sticky
{
    public static unsafe class Kernel
    {
        public const string Version = "0.1.0";

        private static BootInfo _boot;
        public static BootInfo* Boot { get { fixed (BootInfo* b = &_boot) return b; } }

        // Called by boot/entry.asm on the boot stack, in long mode with SSE on.
        [RuntimeExport("kmain")]
        private static void Main(ulong startInfoPhysical)
        {
            Internal.Runtime.CompilerHelpers.StartupCodeHelpers.InitializeModules();
            Sticky.Drivers.Serial.Init(Sticky.Drivers.Serial.Com1);
            Cpus.InitBootCpu();

            // The boot page tables map all low memory at the direct map's base already.
            if (!BootInfo.TryParse(startInfoPhysical, Sticky.Mm.DirectMap.Base, out _boot))
                Panic.Halt("no PVH start info: boot stickyos with qemu -kernel (PVH ELF note)");
            Console.Init(&Boot->CommandLine);
            Banner.Print(Boot);
            Log.Init(&Boot->CommandLine);
            Sticky.Mm.KernelMemory.Init(Boot);
            CpuProtections.Enable();
            CpuProtections.Print();
            Sticky.Mm.MemoryReport.Print();

            Pic.Init();
            LocalApic.InitBootCpu();
            Clock.Init();
            Cpu.EnableInterrupts();
            Clock.Calibrate(20);
            Clock.CalibrateLocalTimers();
            Sticky.Proc.Scheduler.Init();
            Sticky.Sys.SyscallTable.Init();
            Smp.StartApplicationProcessors(Boot, Cpus.Max);

            Sticky.Tests.SelfTest.RunFromCommandLine(&Boot->CommandLine);

            Sticky.Sys.SysTime.BootRealtimeNs = Sticky.Drivers.Rtc.ReadUnixTime() * 1_000_000_000UL - Clock.NowNanoseconds;
            Sticky.Proc.Processes.Install();
            Sticky.Sys.SysShm.Init();
            Sticky.Sys.Futexes.Init(&Boot->CommandLine);
            Sticky.Sys.SyscallTrace.Init(&Boot->CommandLine);
            Sticky.Fs.Initramfs.Init(Boot->InitrdBase, Boot->InitrdLength);
            if (!Sticky.Fs.Initramfs.Present)
                Panic.Halt("no initramfs: boot with -initrd (tools/run-guest packs one)");
            Sticky.Fs.Vfs.Init(Sticky.Fs.Initramfs.Archive, Sticky.Fs.Initramfs.Length);
            Sticky.Debug.Monitor.Announce();
            var init = Sticky.Proc.InitProcess.Create(&Boot->CommandLine);   // first: init must get pid 1
            Sticky.Debug.Monitor.Start();
            Sticky.Proc.RealTimers.Start();   // alarm, setitimer (before any program: the accounting baseline includes it)
            Sticky.Tty.Terminal.Init();
            Sticky.Io.PollWait.Init();
            Sticky.Io.FileLocks.Init();
            Sticky.Net.Inet.Init();
            Sticky.Proc.MembarrierIpi.Init();

            // The boot thread's work is done: init becomes runnable in the same
            // step in which the boot thread sleeps for good, so nothing above is
            // still under way (or yet to allocate) when init's first instruction runs.
            Sticky.Proc.Scheduler.HandOver(init);
            Panic.Halt("the boot thread was woken");
        }
    }
}
