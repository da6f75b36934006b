using System;
using Sticky.Platform;
using Xunit;

namespace Sticky.Tests.Platform;

// A hand-built hvm_start_info in a byte array standing in for physical memory.
public unsafe class PvhStartInfoTests
{
    private static void Put32(byte[] m, int at, uint v) => BitConverter.TryWriteBytes(new Span<byte>(m, at, 4), v);
    private static void Put64(byte[] m, int at, ulong v) => BitConverter.TryWriteBytes(new Span<byte>(m, at, 8), v);

    private static byte[] Image(uint magic = BootInfo.StartInfoMagic, uint version = 1)
    {
        var m = new byte[0x2000];
        Put32(m, 0, magic); Put32(m, 4, version);
        Put32(m, 12, 1); Put64(m, 16, 0x100);            // one module, list at 0x100
        Put64(m, 24, 0x200);                             // command line at 0x200
        Put64(m, 32, 0xf34d0);                           // ACPI RSDP
        Put64(m, 40, 0x300); Put32(m, 48, 2);            // two memory-map entries at 0x300
        Put64(m, 0x100, 0x4000000); Put64(m, 0x108, 12345);
        var cmd = System.Text.Encoding.ASCII.GetBytes("test=list\0");
        Array.Copy(cmd, 0, m, 0x200, cmd.Length);
        Put64(m, 0x300, 0x0); Put64(m, 0x308, 0x9fc00); Put32(m, 0x310, 1);
        Put64(m, 0x318, 0x100000); Put64(m, 0x320, 0x7f00000); Put32(m, 0x328, 1);
        return m;
    }

    [Fact]
    public void ParsesCommandLineModuleAndMemoryMap()
    {
        var m = Image();
        fixed (byte* b = m)
        {
            Assert.True(BootInfo.TryParse(0, (ulong)b, out BootInfo info));
            Assert.True(info.CommandLine.ValueIs("test", "list"));
            Assert.Equal(0x4000000UL, info.InitrdBase);
            Assert.Equal(12345UL, info.InitrdLength);
            Assert.Equal(2, info.Memory.Count);
            Assert.Equal(0x8000000UL, info.Memory.HighestUsableEnd());
            Assert.Equal(0xf34d0UL, info.RsdpAddress);
        }
    }

    [Fact]
    public void RejectsWrongMagic()
    {
        var m = Image(magic: 0x1234);
        fixed (byte* b = m) Assert.False(BootInfo.TryParse(0, (ulong)b, out _));
    }

    [Fact]
    public void VersionZeroHasNoMemoryMap()
    {
        var m = Image(version: 0);
        fixed (byte* b = m)
        {
            Assert.True(BootInfo.TryParse(0, (ulong)b, out BootInfo info));
            Assert.Equal(0, info.Memory.Count);
        }
    }
}
