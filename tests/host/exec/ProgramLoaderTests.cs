using Sticky.Exec;
using Sticky.Mm;
using Sticky.Tests.Mm;
using Xunit;

namespace Sticky.Tests.Exec;

// The ELF loader against simulated memory: where segments land (with and
// without a load bias), what bytes they hold, and the initial stack musl reads.
public unsafe class ProgramLoaderTests : MemoryTest
{
    public ProgramLoaderTests() : base(512) { }

    private static byte[] WithPattern(ElfBuilder e)
    {
        byte[] b = e.Build();
        for (int i = 0x1000; i < b.Length; i++) b[i] = (byte)(i * 7 + 3);
        return b;
    }

    private byte ReadUser(AddressSpace<SimulatedMemory, RecordingTlb> space, ulong va)
    {
        Assert.True(space.Table.Translate(new VirtualAddress(va & ~0xFFFUL), out PhysicalAddress pa, out _));
        return M.Ram.Map(pa)[va & 0xFFF];
    }

    private ulong ReadUser64(AddressSpace<SimulatedMemory, RecordingTlb> space, ulong va)
    {
        ulong v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | ReadUser(space, va + (ulong)i);
        return v;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Segments_LandAtTheirAddresses_WithFileBytesAndZeroedBss(bool pie)
    {
        var e = pie ? new ElfBuilder { Type = 3, Entry = 0x1100 } : new ElfBuilder();
        ulong base_ = pie ? 0UL : 0x400000UL;
        e.Load(0x1000, base_ + 0x1000, 0x1000, 0x1000, 5).Load(0x2000, base_ + 0x2000, 0x800, 0x3000, 6);
        if (!pie) e.Entry = 0x401100;
        byte[] file = WithPattern(e);
        ulong bias = pie ? ProgramLoader.PieBias : 0;
        var space = M.NewSpace();
        fixed (byte* f = file)
        {
            Assert.Equal(ElfError.Ok, ElfImage.Parse(f, (ulong)file.Length, ProgramLoader.PieBias, out ElfImage img));
            Assert.Equal(0, ProgramLoader.LoadSegments(space, M.Ram, img));
        }
        ulong text = bias + base_ + 0x1000, data = bias + base_ + 0x2000;
        Assert.True(space.FindRegion(new VirtualAddress(text), out Region r1));
        Assert.Equal(Protection.ReadExecute, r1.Protection);
        Assert.True(space.FindRegion(new VirtualAddress(data), out Region r2));
        Assert.Equal(Protection.ReadWrite, r2.Protection);
        Assert.Equal(data + 0x3000, r2.End.Value);
        Assert.Equal(file[0x1000], ReadUser(space, text));
        Assert.Equal(file[0x1FFF], ReadUser(space, text + 0xFFF));
        Assert.Equal(file[0x27FF], ReadUser(space, data + 0x7FF));
        Assert.Equal(0, ReadUser(space, data + 0x800));   // past FileSize: zero, not the file's next bytes
        space.Destroy();
    }

    [Fact]
    public void Stack_HoldsArgcArgvEnvpAndAuxv()
    {
        var e = ElfBuilder.TwoSegments();
        byte[] file = WithPattern(e);
        var args = new ArgBlock(64);
        Assert.True(args.Add("prog", false));
        Assert.True(args.Add("-x", false));
        Assert.True(args.Add("HOME=/", true));
        var space = M.NewSpace();
        long sp;
        ElfImage img;
        fixed (byte* f = file)
        {
            Assert.Equal(ElfError.Ok, ElfImage.Parse(f, (ulong)file.Length, 0, out img));
            Assert.Equal(0, ProgramLoader.LoadSegments(space, M.Ram, img));
            sp = ProgramLoader.BuildStack(space, M.Ram, img, args, 0x1111, 0x2222);
        }
        Assert.True(sp > 0);
        ulong p = (ulong)sp;
        Assert.Equal(0UL, p % 16);                      // the ABI's alignment at process entry
        Assert.Equal(2UL, ReadUser64(space, p));        // argc
        ulong argv0 = ReadUser64(space, p + 8);
        Assert.Equal((byte)'p', ReadUser(space, argv0));
        Assert.Equal((byte)'-', ReadUser(space, ReadUser64(space, p + 16)));
        Assert.Equal(0UL, ReadUser64(space, p + 24));   // argv NULL
        Assert.Equal((byte)'H', ReadUser(space, ReadUser64(space, p + 32)));
        Assert.Equal(0UL, ReadUser64(space, p + 40));   // envp NULL

        ulong aux = p + 48, phdr = 0, entry = 0, pagesz = 0, random = 0;
        for (; ; aux += 16)
        {
            ulong type = ReadUser64(space, aux), value = ReadUser64(space, aux + 8);
            if (type == 0) break;
            if (type == 3) phdr = value;
            if (type == 9) entry = value;
            if (type == 6) pagesz = value;
            if (type == 25) random = value;
        }
        Assert.Equal(img.PhdrAddress, phdr);
        Assert.Equal(img.Entry, entry);
        Assert.Equal(4096UL, pagesz);
        Assert.Equal(0x1111UL, ReadUser64(space, random));
        Assert.Equal(0x2222UL, ReadUser64(space, random + 8));
        args.Release();
        space.Destroy();
    }
}
