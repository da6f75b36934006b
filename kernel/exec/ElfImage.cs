namespace Sticky.Exec
{
    // Why an image was refused. Every value but Ok maps to ENOEXEC in execve.
    public enum ElfError
    {
        Ok,
        Truncated,        // shorter than the ELF header, or header tables past the end
        NotElf,           // bad magic
        WrongClass,       // not ELFCLASS64
        WrongEndian,      // not little-endian
        WrongVersion,     // e_ident version or e_version not EV_CURRENT
        WrongMachine,     // not EM_X86_64
        NotExecutable,    // neither ET_EXEC nor ET_DYN
        BadHeader,        // e_ehsize/e_phentsize/e_phnum unusable
        BadSegment,       // a PT_LOAD that cannot be mapped as described
        NoSegments,       // nothing to load
        NeedsInterpreter, // PT_INTERP: dynamic binaries are not supported
        BadEntry,         // entry point outside every loaded segment
        BadBias,          // ET_DYN load bias not page-aligned or too high
    }

    // One PT_LOAD, with the load bias already added to Vaddr.
    public struct ElfSegment
    {
        public const uint FlagX = 1, FlagW = 2, FlagR = 4;

        public ulong Vaddr;
        public ulong MemSize;
        public ulong FileSize;
        public ulong Offset;
        public ulong Align;
        public uint Flags;

        public bool Readable => (Flags & FlagR) != 0;
        public bool Writable => (Flags & FlagW) != 0;
        public bool Executable => (Flags & FlagX) != 0;
    }

    // A validated view of a static ELF64 x86-64 executable held in memory.
    // Parse checks everything the loader would otherwise trust, so the loader
    // can copy/map segments without further bounds checks. Bad input is a
    // result, never an exception: the bytes come from a user-writable file.
    //
    // The image keeps a pointer to the caller's buffer; it is valid only while
    // that buffer is.
    public unsafe struct ElfImage
    {
        // Lowest non-canonical-safe user address: user mappings must end below
        // the last page under the canonical hole (Linux's TASK_SIZE).
        public const ulong UserLimit = 0x0000_7FFF_FFFF_F000;
        public const ulong PageSize = 4096;

        private const int EhdrSize = 64;
        private const int PhdrSize = 56;
        private const ushort EtExec = 2, EtDyn = 3;
        private const ushort EmX86_64 = 62;
        private const uint PtLoad = 1, PtInterp = 3, PtPhdr = 6, PtGnuStack = 0x6474E551;

        private byte* _data;
        private ulong _length;
        private ulong _phoff;

        public bool IsDynamic;          // ET_DYN (static-PIE): addresses include Bias
        public ulong Bias;              // 0 for ET_EXEC
        public ulong Entry;             // with Bias
        public ulong PhdrAddress;       // AT_PHDR; 0 if the headers are not loaded
        public uint PhEnt;              // AT_PHENT
        public uint PhNum;              // AT_PHNUM
        public int SegmentCount;        // PT_LOAD count
        public ulong LowVaddr;          // lowest PT_LOAD vaddr (with Bias, not page-rounded)
        public ulong HighVaddr;         // highest PT_LOAD vaddr + memsz (with Bias, exclusive)
        public bool HasGnuStack;        // PT_GNU_STACK seen
        public bool StackExecutable;    // PT_GNU_STACK asks for PF_X (or absent: legacy default)

        // Validates `data[0..length)`. `bias` is where an ET_DYN image's
        // address 0 goes (page-aligned); it is ignored for ET_EXEC.
        public static ElfError Parse(byte* data, ulong length, ulong bias, out ElfImage image)
        {
            image = default;
            if (data == null || length < EhdrSize) return ElfError.Truncated;
            if (data[0] != 0x7F || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                return ElfError.NotElf;
            if (data[4] != 2) return ElfError.WrongClass;
            if (data[5] != 1) return ElfError.WrongEndian;
            if (data[6] != 1 || U32(data + 20) != 1) return ElfError.WrongVersion;

            ushort type = U16(data + 16);
            if (U16(data + 18) != EmX86_64) return ElfError.WrongMachine;
            if (type != EtExec && type != EtDyn) return ElfError.NotExecutable;

            ulong entry = U64(data + 24);
            ulong phoff = U64(data + 32);
            ushort ehsize = U16(data + 52);
            ushort phentsize = U16(data + 54);
            ushort phnum = U16(data + 56);
            if (ehsize < EhdrSize || phentsize != PhdrSize) return ElfError.BadHeader;
            // 0xFFFF is PN_XNUM (real count in section 0): never produced for executables.
            if (phnum == 0 || phnum == 0xFFFF) return ElfError.BadHeader;
            // phnum * 56 < 2^22, so only phoff itself can overflow the sum.
            ulong phbytes = (ulong)phnum * PhdrSize;
            if (phoff > length || length - phoff < phbytes) return ElfError.Truncated;

            image.IsDynamic = type == EtDyn;
            if (image.IsDynamic)
            {
                if ((bias & (PageSize - 1)) != 0 || bias >= UserLimit) return ElfError.BadBias;
                image.Bias = bias;
            }
            image._data = data;
            image._length = length;
            image._phoff = phoff;
            image.PhEnt = PhdrSize;
            image.PhNum = phnum;
            image.StackExecutable = true;

            bool sawPhdr = false;
            ulong phdrVaddr = 0;
            ulong prevEnd = 0;
            for (uint i = 0; i < phnum; i++)
            {
                byte* ph = data + phoff + i * PhdrSize;
                uint ptype = U32(ph);
                if (ptype == PtInterp) return ElfError.NeedsInterpreter;
                if (ptype == PtPhdr)
                {
                    sawPhdr = true;
                    phdrVaddr = U64(ph + 16);
                }
                else if (ptype == PtGnuStack)
                {
                    image.HasGnuStack = true;
                    image.StackExecutable = (U32(ph + 4) & ElfSegment.FlagX) != 0;
                }
                else if (ptype == PtLoad)
                {
                    ElfSegment s = ReadSegment(ph, 0);
                    if (!SegmentOk(s, length, image.Bias)) return ElfError.BadSegment;
                    ulong start = s.Vaddr + image.Bias;
                    ulong end = start + s.MemSize;
                    // The ELF spec requires ascending vaddr; overlap would make
                    // the later segment silently overwrite the earlier one.
                    if (image.SegmentCount > 0 && start < prevEnd) return ElfError.BadSegment;
                    if (image.SegmentCount == 0) image.LowVaddr = start;
                    prevEnd = end;
                    image.HighVaddr = end;
                    // AT_PHDR fallback: the PT_LOAD whose file bytes hold the table.
                    if (!sawPhdr && image.PhdrAddress == 0 && s.Offset <= phoff
                        && phoff - s.Offset <= s.FileSize && s.FileSize - (phoff - s.Offset) >= phbytes)
                        image.PhdrAddress = start + (phoff - s.Offset);
                    image.SegmentCount++;
                }
            }
            if (image.SegmentCount == 0) return ElfError.NoSegments;
            if (sawPhdr)
            {
                if (phdrVaddr >= UserLimit - image.Bias) return ElfError.BadHeader;
                image.PhdrAddress = phdrVaddr + image.Bias;
            }

            if (entry >= UserLimit - image.Bias) return ElfError.BadEntry;
            image.Entry = entry + image.Bias;
            if (!image.InsideSegment(image.Entry)) return ElfError.BadEntry;
            return ElfError.Ok;
        }

        // The index-th PT_LOAD (0-based, in file order), Vaddr with Bias added.
        public bool GetSegment(int index, out ElfSegment segment)
        {
            segment = default;
            if (index < 0 || index >= SegmentCount) return false;
            int n = 0;
            for (uint i = 0; i < PhNum; i++)
            {
                byte* ph = _data + _phoff + i * PhdrSize;
                if (U32(ph) != PtLoad) continue;
                if (n++ == index)
                {
                    segment = ReadSegment(ph, Bias);
                    return true;
                }
            }
            return false;
        }

        // The file bytes of a segment (FileSize of them; the rest of MemSize is zero).
        public byte* SegmentData(in ElfSegment segment) => _data + segment.Offset;
        public byte* ProgramHeaders => _data + _phoff;

        public static string Describe(ElfError e)
        {
            switch (e)
            {
                case ElfError.Ok: return "ok";
                case ElfError.Truncated: return "truncated";
                case ElfError.NotElf: return "not an ELF file";
                case ElfError.WrongClass: return "not a 64-bit ELF";
                case ElfError.WrongEndian: return "not little-endian";
                case ElfError.WrongVersion: return "unknown ELF version";
                case ElfError.WrongMachine: return "not x86-64";
                case ElfError.NotExecutable: return "neither an executable nor a static-PIE";
                case ElfError.BadHeader: return "unusable ELF header";
                case ElfError.BadSegment: return "a PT_LOAD segment cannot be mapped as described";
                case ElfError.NoSegments: return "nothing to load";
                case ElfError.NeedsInterpreter: return "dynamically linked (needs an interpreter): build with -static";
                case ElfError.BadEntry: return "entry point outside the loaded segments";
                default: return "bad load address";
            }
        }

        private bool InsideSegment(ulong address)
        {
            for (int i = 0; i < SegmentCount; i++)
                if (GetSegment(i, out ElfSegment s) && address >= s.Vaddr && address - s.Vaddr < s.MemSize)
                    return true;
            return false;
        }

        private static ElfSegment ReadSegment(byte* ph, ulong bias)
        {
            ElfSegment s;
            s.Flags = U32(ph + 4);
            s.Offset = U64(ph + 8);
            s.Vaddr = U64(ph + 16) + bias;
            s.FileSize = U64(ph + 32);
            s.MemSize = U64(ph + 40);
            s.Align = U64(ph + 48);
            return s;
        }

        // Vaddr here is unbiased; the bias is checked to keep the sum below UserLimit.
        private static bool SegmentOk(in ElfSegment s, ulong length, ulong bias)
        {
            if (s.FileSize > s.MemSize) return false;
            if (s.Offset > length || length - s.Offset < s.FileSize) return false;
            if (s.MemSize == 0) return false;
            if (s.Vaddr >= UserLimit || bias >= UserLimit - s.Vaddr) return false;
            ulong start = s.Vaddr + bias;
            if (s.MemSize > UserLimit - start) return false;   // also rules out wrap
            if (start < PageSize) return false;                // page 0 stays unmapped
            if (s.Align > 1)
            {
                if ((s.Align & (s.Align - 1)) != 0) return false;
                // Mapping file pages at vaddr needs offset and vaddr to agree in the page.
                if ((s.Vaddr & (s.Align - 1)) != (s.Offset & (s.Align - 1))) return false;
            }
            if ((s.Vaddr & (PageSize - 1)) != (s.Offset & (PageSize - 1))) return false;
            return true;
        }

        // Little-endian reads, byte by byte: header fields need not be aligned.
        private static ushort U16(byte* p) => (ushort)(p[0] | p[1] << 8);
        private static uint U32(byte* p) => (uint)(p[0] | p[1] << 8 | p[2] << 16 | p[3] << 24);
        private static ulong U64(byte* p) => U32(p) | (ulong)U32(p + 4) << 32;
    }
}
