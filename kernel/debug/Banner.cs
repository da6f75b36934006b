using Sticky.Platform;

namespace Sticky.Debug
{
    // The first lines on the serial console: who we are and what the machine gave us.
    public static unsafe class Banner
    {
        public static void Print(BootInfo* boot)
        {
            Console.Write("stickyos ");
            Console.Write(Kernel.Version);
            Console.WriteLine(" (x86-64, C# compiled by NativeAOT)");
            Console.Write("command line: ");
            Console.WriteBytes(boot->CommandLine.Text, boot->CommandLine.Length);
            Console.WriteLine();
            Console.WriteLine("memory map:");
            for (int i = 0; i < boot->Memory.Count; i++)
            {
                MemoryRange r = boot->Memory[i];
                Console.Write("  ");
                Console.Address(r.Base);
                Console.Write("-");
                Console.Address(r.End - 1);
                Console.Write(" ");
                Console.WriteLine(TypeName(r.Type));
            }
            Console.Write("usable RAM: ");
            Console.Dec((long)(boot->Memory.TotalBytes(MemoryMap.Usable) / 1024));
            Console.Write(" KiB");
            if (boot->InitrdLength != 0)
            {
                Console.Write(", initrd ");
                Console.Dec((long)boot->InitrdLength);
                Console.Write(" bytes at ");
                Console.Address(boot->InitrdBase);
            }
            Console.WriteLine();
        }

        private static string TypeName(uint type)
        {
            switch (type)
            {
                case MemoryMap.Usable: return "usable";
                case MemoryMap.Reserved: return "reserved";
                case MemoryMap.AcpiReclaimable: return "ACPI reclaimable";
                case MemoryMap.AcpiNvs: return "ACPI NVS";
                case MemoryMap.Bad: return "bad";
                default: return "other";
            }
        }
    }
}
