namespace System
{
    // Exceptions exist so that `throw` compiles; the kernel never catches them.
    // Every throw ends in a kernel panic that names the exception type (see
    // Internal/ExceptionHandling.cs). Kernel code reports errors as return values.
    public class Exception
    {
        public readonly string Message;
        public Exception() { }
        public Exception(string message) { Message = message; }
    }

    public class SystemException : Exception { public SystemException() { } public SystemException(string m) : base(m) { } }
    public sealed class NullReferenceException : SystemException { }
    public sealed class IndexOutOfRangeException : SystemException { }
    public sealed class OverflowException : SystemException { }
    public sealed class DivideByZeroException : SystemException { }
    public sealed class InvalidCastException : SystemException { }
    public sealed class ArrayTypeMismatchException : SystemException { }
    public sealed class OutOfMemoryException : SystemException { }
    public class ArgumentException : SystemException { public ArgumentException() { } public ArgumentException(string m) : base(m) { } }
    public sealed class ArgumentOutOfRangeException : ArgumentException { public ArgumentOutOfRangeException() { } public ArgumentOutOfRangeException(string m) : base(m) { } }
    public sealed class ArgumentNullException : ArgumentException { public ArgumentNullException() { } public ArgumentNullException(string m) : base(m) { } }
    public sealed class InvalidOperationException : SystemException { public InvalidOperationException() { } public InvalidOperationException(string m) : base(m) { } }
    public sealed class NotSupportedException : SystemException { public NotSupportedException() { } public NotSupportedException(string m) : base(m) { } }
    public sealed class NotImplementedException : SystemException { public NotImplementedException() { } public NotImplementedException(string m) : base(m) { } }
    public sealed class PlatformNotSupportedException : SystemException { }
    public sealed class InvalidProgramException : SystemException { }
    public sealed class TypeLoadException : SystemException { }
    public sealed class MissingMethodException : SystemException { }
    public sealed class BadImageFormatException : SystemException { }
}
