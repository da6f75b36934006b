using Sticky.Lib;
using Xunit;

namespace Sticky.Tests.Lib;

public unsafe class FormatTests
{
    private static string Run(delegate*<byte*, int> f)
    {
        byte* b = stackalloc byte[64];
        int n = f(b);
        return new string((sbyte*)b, 0, n);
    }

    [Fact] public void Hex_PadsToMinimumDigits() => Assert.Equal("000000ff", Run(&HexFF));
    private static int HexFF(byte* b) => Format.Hex(0xff, 8, b);

    [Fact] public void Hex_FullWidth() => Assert.Equal("ffffffff80000000", Run(&HexKernel));
    private static int HexKernel(byte* b) => Format.Hex(0xFFFFFFFF80000000, 1, b);

    [Fact] public void Decimal_HandlesMinValue() => Assert.Equal("-9223372036854775808", Run(&DecMin));
    private static int DecMin(byte* b) => Format.Decimal(long.MinValue, b);

    [Fact] public void Decimal_Zero() => Assert.Equal("0", Run(&DecZero));
    private static int DecZero(byte* b) => Format.Decimal(0, b);

    [Fact] public void Fixed_ShowsLeadingZerosOfFraction() => Assert.Equal("12.005", Run(&Fixed));
    private static int Fixed(byte* b) => Format.Fixed(12005, 3, b);
}
