namespace Sticky.Platform
{
    // What the PVH boot protocol hands the kernel (Xen's hvm_start_info, version 1):
    // command line, boot modules (the initramfs arrives as module 0) and the
    // E820 memory map. Read once at boot and copied, because the boot-time
    // identity mapping that reaches it does not survive.
    public unsafe struct BootInfo
    {
        public const uint StartInfoMagic = 0x336EC578;
        public MemoryMap Memory;
        public CommandLine CommandLine;
        public ulong InitrdBase, InitrdLength;
        public ulong StartInfoAddress;
        public ulong RsdpAddress;             // ACPI root pointer (physical), 0 if the loader found none

        // `toVirtual` is added to each physical address to reach it.
        public static bool TryParse(ulong startInfoPhys, ulong toVirtual, out BootInfo info)
        {
            info = default;
            info.StartInfoAddress = startInfoPhys;
            byte* s = (byte*)(startInfoPhys + toVirtual);
            if (*(uint*)s != StartInfoMagic) return false;
            uint version = *(uint*)(s + 4);
            uint moduleCount = *(uint*)(s + 12);
            ulong moduleList = *(ulong*)(s + 16);
            ulong cmdline = *(ulong*)(s + 24);
            info.RsdpAddress = *(ulong*)(s + 32);
            ulong memmap = version >= 1 ? *(ulong*)(s + 40) : 0;
            uint memmapEntries = version >= 1 ? *(uint*)(s + 48) : 0;

            if (cmdline != 0) info.CommandLine = CommandLine.From((byte*)(cmdline + toVirtual), CommandLine.Capacity);
            if (moduleCount > 0 && moduleList != 0)
            {
                ulong* module = (ulong*)(moduleList + toVirtual);   // { paddr, size, cmdline, reserved }
                info.InitrdBase = module[0];
                info.InitrdLength = module[1];
            }
            for (uint i = 0; i < memmapEntries; i++)
            {
                byte* e = (byte*)(memmap + toVirtual) + i * 24;      // { addr, size, type, reserved }
                info.Memory.Add(*(ulong*)e, *(ulong*)(e + 8), *(uint*)(e + 16));
            }
            return true;
        }
    }
}
