namespace Sticky.Platform
{
    // What the ACPI MADT ("APIC" table) says about the machine's interrupt
    // hardware: the processors' local APIC ids (enabled ones only, in table
    // order, which puts the boot processor first on QEMU and most firmware),
    // where the local APIC and the first I/O APIC are, and whether legacy 8259
    // PICs exist.
    public unsafe struct MadtInfo
    {
        public const int MaxCpus = 16;

        public ulong LocalApicBase;
        public ulong IoApicBase;         // 0: none listed
        public uint IoApicGsiBase;
        public bool HasLegacyPics;       // MADT flag PCAT_COMPAT
        public int CpuCount;
        public int CpusIgnored;          // enabled processors beyond MaxCpus
        private fixed uint _apicIds[MaxCpus];

        public uint ApicId(int index) => _apicIds[index];

        internal void AddCpu(uint apicId)
        {
            for (int i = 0; i < CpuCount; i++) if (_apicIds[i] == apicId) return;   // listed as both xAPIC and x2APIC
            if (CpuCount == MaxCpus) { CpusIgnored++; return; }
            _apicIds[CpuCount++] = apicId;
        }
    }

    // The ACPI tables, read far enough to find the MADT: RSDP -> XSDT (or RSDT)
    // -> "APIC". Every structure's checksum and length is checked; a table
    // that fails is treated as absent. Pure code over memory reached by adding
    // `toVirtual` to physical addresses (the direct map in the kernel, a byte
    // array in the host tests).
    public static unsafe class Acpi
    {
        private const int SdtHeaderSize = 36;
        private const uint MaxTableLength = 1 << 20;

        public static bool FindMadt(ulong rsdpPhysical, ulong toVirtual, out MadtInfo info)
        {
            info = default;
            if (rsdpPhysical == 0) return false;
            byte* rsdp = (byte*)(rsdpPhysical + toVirtual);
            if (!SignatureIs(rsdp, "RSD PTR ") || Sum(rsdp, 20) != 0) return false;
            byte revision = rsdp[15];
            ulong xsdt = revision >= 2 && Sum(rsdp, *(uint*)(rsdp + 20)) == 0 ? *(ulong*)(rsdp + 24) : 0;
            byte* madt = xsdt != 0 ? FindTable(xsdt, toVirtual, 8, "APIC") : FindTable(*(uint*)(rsdp + 16), toVirtual, 4, "APIC");
            if (madt == null) return false;
            ParseMadt(madt, ref info);
            return true;
        }

        // The table with `signature` listed in the root table at `root`, whose
        // entries are `entrySize` bytes (8: XSDT, 4: RSDT); null if absent or bad.
        private static byte* FindTable(ulong root, ulong toVirtual, int entrySize, string signature)
        {
            byte* r = Table(root, toVirtual);
            if (r == null) return null;
            uint length = *(uint*)(r + 4);
            for (uint at = SdtHeaderSize; at + (uint)entrySize <= length; at += (uint)entrySize)
            {
                ulong address = entrySize == 8 ? *(ulong*)(r + at) : *(uint*)(r + at);
                byte* t = Table(address, toVirtual);
                if (t != null && SignatureIs(t, signature)) return t;
            }
            return null;
        }

        private static byte* Table(ulong physical, ulong toVirtual)
        {
            if (physical == 0) return null;
            byte* t = (byte*)(physical + toVirtual);
            uint length = *(uint*)(t + 4);
            if (length < SdtHeaderSize || length > MaxTableLength || Sum(t, length) != 0) return null;
            return t;
        }

        private static void ParseMadt(byte* madt, ref MadtInfo info)
        {
            uint length = *(uint*)(madt + 4);
            info.LocalApicBase = *(uint*)(madt + 36);
            info.HasLegacyPics = (*(uint*)(madt + 40) & 1) != 0;
            uint at = 44;
            while (at + 2 <= length)
            {
                byte* e = madt + at;
                byte type = e[0], size = e[1];
                if (size < 2 || at + size > length) break;   // a broken entry ends the walk
                const uint Enabled = 1;   // bit 1, online-capable, means hot-pluggable later: not running now
                switch (type)
                {
                    case 0 when size >= 8:   // processor local APIC
                        if ((*(uint*)(e + 4) & Enabled) != 0) info.AddCpu(e[3]);
                        break;
                    case 1 when size >= 12:  // I/O APIC
                        if (info.IoApicBase == 0) { info.IoApicBase = *(uint*)(e + 4); info.IoApicGsiBase = *(uint*)(e + 8); }
                        break;
                    case 5 when size >= 12:  // local APIC address override (64-bit)
                        info.LocalApicBase = *(ulong*)(e + 4);
                        break;
                    case 9 when size >= 16:  // processor local x2APIC
                        if ((*(uint*)(e + 8) & Enabled) != 0) info.AddCpu(*(uint*)(e + 4));
                        break;
                }
                at += size;
            }
        }

        private static bool SignatureIs(byte* p, string signature)
        {
            for (int i = 0; i < signature.Length; i++) if (p[i] != (byte)signature[i]) return false;
            return true;
        }

        private static byte Sum(byte* p, uint length)
        {
            byte s = 0;
            for (uint i = 0; i < length; i++) s += p[i];
            return s;
        }
    }
}
