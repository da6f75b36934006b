// The built-in types every C# program assumes. ILC lays them out itself;
// these declarations only have to exist with the right names and shapes.
namespace System
{
    public unsafe class Object
    {
        // Every object starts with its type. ILC lays out fields after this one.
        internal Internal.Runtime.MethodTable* m_pMethodTable;

        public Object() { }
        public virtual bool Equals(object o) => (object)this == o;
        public virtual int GetHashCode() => 0;
        public virtual string ToString() => null;
        ~Object() { }
    }

    public struct Void { }
    public struct Boolean { public const bool True = true; }
    public struct Char { }
    public struct SByte { }
    public struct Byte { }
    public struct Int16 { }
    public struct UInt16 { }
    public struct Int32 { public const int MaxValue = 0x7fffffff; public const int MinValue = unchecked((int)0x80000000); }
    public struct UInt32 { public const uint MaxValue = 0xffffffff; }
    public struct Int64 { public const long MaxValue = 0x7fffffffffffffff; public const long MinValue = unchecked((long)0x8000000000000000); }
    public struct UInt64 { public const ulong MaxValue = 0xffffffffffffffff; }
    public struct Single { }
    public struct Double { }

    public unsafe struct IntPtr
    {
        private void* _value;
        public static readonly IntPtr Zero;
        public IntPtr(void* value) { _value = value; }
        public IntPtr(long value) { _value = (void*)value; }
        public static explicit operator IntPtr(long value) => new IntPtr(value);
        public static explicit operator long(IntPtr value) => (long)value._value;
        public static explicit operator void*(IntPtr value) => value._value;
        public static explicit operator IntPtr(void* value) => new IntPtr(value);
    }

    public unsafe struct UIntPtr
    {
        private void* _value;
        public UIntPtr(void* value) { _value = value; }
        public static explicit operator UIntPtr(ulong value) => new UIntPtr((void*)value);
        public static explicit operator ulong(UIntPtr value) => (ulong)value._value;
        public static explicit operator void*(UIntPtr value) => value._value;
    }

    public abstract class ValueType { }
    public abstract class Enum : ValueType { }

    public struct Nullable<T> where T : struct
    {
        private readonly bool _hasValue;
        private T _value;
        public Nullable(T value) { _hasValue = true; _value = value; }
        public bool HasValue => _hasValue;
        public T Value => _value;
        public T GetValueOrDefault() => _value;
        public static implicit operator Nullable<T>(T value) => new Nullable<T>(value);
        public static explicit operator T(Nullable<T> value) => value._value;
    }

    public struct RuntimeTypeHandle { private IntPtr _value; }
    public struct RuntimeMethodHandle { private IntPtr _value; }
    public struct RuntimeFieldHandle { private IntPtr _value; }

    public abstract class Type { }
    public sealed class RuntimeType : Type { }

    public interface IDisposable { void Dispose(); }
    public interface IEquatable<T> { bool Equals(T other); }
    public interface IComparable<T> { int CompareTo(T other); }
}
