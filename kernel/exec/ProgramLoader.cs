using Sticky.Mm;

namespace Sticky.Exec
{
    // Builds a new program's address space from a parsed ELF image: one region
    // per PT_LOAD with the segment's protection, the file bytes copied in, the
    // rest demand-zero; then the stack with argc, argv, envp and the auxiliary
    // vector that musl's startup code reads (System V x86-64 ABI, 3.4.1).
    public static unsafe class ProgramLoader
    {
        public const ulong StackTop = Paging.UserEnd;
        public const ulong StackSize = 8UL << 20;                   // like ulimit -s
        public const ulong MmapCeiling = 0x0000_7F00_0000_0000UL;  // mmap grows down from here
        public const ulong PieBias = 0x0000_5555_5555_4000UL;       // where a static-PIE's address 0 goes

        private const ulong AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
            AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15,
            AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31;
        private const int AuxCount = 18;   // including AT_NULL

        // Maps and fills every PT_LOAD segment. 0 or -errno (ENOMEM, ENOEXEC for overlapping segments).
        public static int LoadSegments<TMem, TTlb>(AddressSpace<TMem, TTlb> space, TMem mem, in ElfImage image)
            where TMem : struct, IPhysicalMemory where TTlb : struct, ITlb
        {
            for (int i = 0; i < image.SegmentCount; i++)
            {
                image.GetSegment(i, out ElfSegment s);
                ulong vaddr = s.Vaddr;   // GetSegment has added the load bias
                ulong start = Paging.AlignDown(vaddr), end = Paging.AlignUp(vaddr + s.MemSize);
                if (end == start) continue;
                Protection prot = Protection.None;
                if (s.Readable) prot |= Protection.Read;
                if (s.Writable) prot |= Protection.Write;
                if (s.Executable) prot |= Protection.Execute;
                // Two segments may share a boundary page: it gets both protections.
                if (space.FindRegion(new VirtualAddress(start), out Region shared))
                {
                    space.ProtectRange(new VirtualAddress(start), Paging.PageSize, shared.Protection | prot);
                    start += Paging.PageSize;
                }
                if (end > start)
                {
                    RegionResult r = space.AddRegion(new VirtualAddress(start), end - start, prot);
                    if (r != RegionResult.Ok) return -Errno.ENOEXEC;
                }
                if (!Write(space, mem, vaddr, image.SegmentData(s), s.FileSize)) return -Errno.ENOMEM;
            }
            return 0;
        }

        // Adds the stack region and writes the initial stack; returns the user
        // RSP (pointing at argc), or -errno.
        public static long BuildStack<TMem, TTlb>(AddressSpace<TMem, TTlb> space, TMem mem, in ElfImage image,
                                                  ArgBlock args, ulong random0, ulong random1)
            where TMem : struct, IPhysicalMemory where TTlb : struct, ITlb
        {
            if (space.AddRegion(new VirtualAddress(StackTop - StackSize), StackSize, Protection.ReadWrite) != RegionResult.Ok)
                return -Errno.ENOMEM;

            // From the top: strings, platform name, 16 random bytes, program headers
            // (only if no segment loads them), then the 16-byte-aligned vector block.
            ulong phdrBytes = image.PhdrAddress == 0 ? (ulong)image.PhNum * image.PhEnt : 0;
            ulong stringsAt = StackTop - (ulong)args.Used;
            ulong platformAt = stringsAt - 8;                 // "x86_64\0" + pad
            ulong randomAt = platformAt - 16;
            ulong phdrAt = (randomAt - phdrBytes) & ~7UL;
            ulong words = 1 + (ulong)args.ArgCount + 1 + (ulong)args.EnvCount + 1 + 2 * AuxCount;
            ulong sp = (phdrAt - words * 8) & ~15UL;
            if (StackTop - sp > StackSize / 2) return -Errno.E2BIG;

            ulong[] vectorArray = new ulong[(int)words];
            fixed (ulong* vector = vectorArray)
            {
                long result = FillStack(space, mem, image, args, random0, random1, vector, stringsAt, platformAt, randomAt, phdrAt, phdrBytes, sp);
                ObjectRelease.Release(vectorArray);
                return result;
            }
        }

        private static long FillStack<TMem, TTlb>(AddressSpace<TMem, TTlb> space, TMem mem, in ElfImage image, ArgBlock args,
                                                  ulong random0, ulong random1, ulong* vector, ulong stringsAt,
                                                  ulong platformAt, ulong randomAt, ulong phdrAt, ulong phdrBytes, ulong sp)
            where TMem : struct, IPhysicalMemory where TTlb : struct, ITlb
        {
            int w = 0;
            vector[w++] = (ulong)args.ArgCount;
            ulong cursor = stringsAt, firstString = stringsAt;
            fixed (byte* b = args.Bytes)
            {
                int offset = 0;
                for (int n = 0; n < args.ArgCount + args.EnvCount; n++)
                {
                    if (n == args.ArgCount) vector[w++] = 0;   // argv's NULL
                    vector[w++] = cursor + (ulong)offset;
                    while (b[offset] != 0) offset++;
                    offset++;
                }
                if (args.ArgCount + args.EnvCount == args.ArgCount) vector[w++] = 0;
                vector[w++] = 0;                                // envp's NULL
                if (!Write(space, mem, stringsAt, b, (ulong)args.Used)) return -Errno.ENOMEM;
            }
            ulong phdr = image.PhdrAddress != 0 ? image.PhdrAddress : phdrAt;
            w = Aux(vector, w, AT_PHDR, phdr);
            w = Aux(vector, w, AT_PHENT, image.PhEnt);
            w = Aux(vector, w, AT_PHNUM, image.PhNum);
            w = Aux(vector, w, AT_PAGESZ, Paging.PageSize);
            w = Aux(vector, w, AT_BASE, 0);
            w = Aux(vector, w, AT_FLAGS, 0);
            w = Aux(vector, w, AT_ENTRY, image.Entry);
            w = Aux(vector, w, AT_UID, 0);
            w = Aux(vector, w, AT_EUID, 0);
            w = Aux(vector, w, AT_GID, 0);
            w = Aux(vector, w, AT_EGID, 0);
            w = Aux(vector, w, AT_PLATFORM, platformAt);
            w = Aux(vector, w, AT_HWCAP, 0);
            w = Aux(vector, w, AT_CLKTCK, 100);
            w = Aux(vector, w, AT_SECURE, 0);
            w = Aux(vector, w, AT_RANDOM, randomAt);
            w = Aux(vector, w, AT_EXECFN, firstString);
            w = Aux(vector, w, AT_NULL, 0);

            ulong platform = 0x0034365F363878UL;   // "x86_64\0\0" little-endian
            ulong* random = stackalloc ulong[2];
            random[0] = random0; random[1] = random1;
            bool ok = Write(space, mem, platformAt, (byte*)&platform, 8)
                      && Write(space, mem, randomAt, (byte*)random, 16)
                      && (phdrBytes == 0 || Write(space, mem, phdrAt, image.ProgramHeaders, phdrBytes))
                      && Write(space, mem, sp, (byte*)vector, (ulong)w * 8);
            return ok ? (long)sp : -Errno.ENOMEM;
        }

        private static int Aux(ulong* vector, int w, ulong type, ulong value)
        {
            vector[w++] = type;
            vector[w++] = value;
            return w;
        }

        // Copies kernel bytes into `space` at `address` through the physical
        // frames, faulting pages in as needed (the space need not be loaded).
        public static bool Write<TMem, TTlb>(AddressSpace<TMem, TTlb> space, TMem mem, ulong address, byte* from, ulong length)
            where TMem : struct, IPhysicalMemory where TTlb : struct, ITlb
        {
            while (length > 0)
            {
                var va = new VirtualAddress(address);
                // A new image has no copy-on-write pages: a read fault maps the frame.
                if (space.HandleFault(va, false, false, false) != FaultVerdict.Handled) return false;
                if (!space.Table.Translate(va.PageBase, out PhysicalAddress page, out _)) return false;
                ulong chunk = Paging.PageSize - va.PageOffset;
                if (chunk > length) chunk = length;
                byte* to = mem.Map(page) + va.PageOffset;
                for (ulong i = 0; i < chunk; i++) to[i] = from[i];
                address += chunk; from += chunk; length -= chunk;
            }
            return true;
        }
    }
}
