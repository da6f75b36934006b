namespace Internal.Runtime.CompilerHelpers
{
    // ILC calls these for the checks it inlines (bounds, null, overflow, ...).
    // Each throws the matching exception, which ends in a kernel panic.
    public static class ThrowHelpers
    {
        public static void ThrowOverflowException() => throw new System.OverflowException();
        public static void ThrowIndexOutOfRangeException() => throw new System.IndexOutOfRangeException();
        public static void ThrowNullReferenceException() => throw new System.NullReferenceException();
        public static void ThrowDivideByZeroException() => throw new System.DivideByZeroException();
        public static void ThrowArrayTypeMismatchException() => throw new System.ArrayTypeMismatchException();
        public static void ThrowPlatformNotSupportedException() => throw new System.PlatformNotSupportedException();
        public static void ThrowTypeLoadException() => throw new System.TypeLoadException();
        public static void ThrowTypeLoadExceptionWithArgument() => throw new System.TypeLoadException();
        public static void ThrowArgumentException() => throw new System.ArgumentException();
        public static void ThrowArgumentOutOfRangeException() => throw new System.ArgumentOutOfRangeException();
        public static void ThrowInvalidProgramException() => throw new System.InvalidProgramException();
        public static void ThrowInvalidProgramExceptionWithArgument() => throw new System.InvalidProgramException();
        public static void ThrowMissingMethodException() => throw new System.MissingMethodException();
        public static void ThrowBadImageFormatException() => throw new System.BadImageFormatException();
        public static void ThrowNotImplementedException() => throw new System.NotImplementedException();
        public static void ThrowInvalidCastException() => throw new System.InvalidCastException();
        public static void ThrowFeatureBodyRemoved() => throw new System.NotSupportedException();
    }
}
