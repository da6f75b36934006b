using System.Runtime;
using Sticky.Debug;

namespace Sticky
{
    public static unsafe class Kernel
    {
        public const string Version = "0.1.0";

        // Called by boot/entry.asm on the boot stack, in long mode with SSE on.
        [RuntimeExport("kmain")]
        private static void Main(ulong startInfoPhysical)
        {
            Internal.Runtime.CompilerHelpers.StartupCodeHelpers.InitializeModules();
            Sticky.Drivers.Serial.Init();
            Console.Write("stickyos ");
            Console.WriteLine(Version);
            Sticky.Arch.Machine.Exit(Sticky.Arch.Machine.ExitSuccess);
        }
    }
}
