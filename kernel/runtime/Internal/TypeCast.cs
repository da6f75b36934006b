using Internal.Runtime;
using System.Runtime;

namespace System.Runtime
{
    // Casting helpers ILC calls for `is`, `as` and casts. Class casts walk the base
    // chain, interface casts scan the interface list. Variance is not supported.
    internal static unsafe class TypeCast
    {
        private static bool IsSubclass(MethodTable* type, MethodTable* target)
        {
            for (; type != null; type = type->RelatedType)
                if (type == target) return true;
            return false;
        }

        private static bool Implements(MethodTable* type, MethodTable* iface)
        {
            MethodTable** list = type->Interfaces;
            for (int i = 0; i < type->InterfaceCount; i++)
                if (list[i] == iface) return true;
            return false;
        }

        private static bool IsInstance(MethodTable* type, MethodTable* target)
        {
            if (type == target) return true;
            if (target->IsInterface) return Implements(type, target);
            if (type->IsParameterized) return false;
            return IsSubclass(type, target);
        }

        public static object IsInstanceOfClass(MethodTable* target, object obj)
        {
            if (obj == null) return null;
            return IsSubclass(MethodTable.Of(obj), target) ? obj : null;
        }

        public static object IsInstanceOfInterface(MethodTable* target, object obj)
        {
            if (obj == null) return null;
            return Implements(MethodTable.Of(obj), target) ? obj : null;
        }

        public static object IsInstanceOfAny(MethodTable* target, object obj)
        {
            if (obj == null) return null;
            return IsInstance(MethodTable.Of(obj), target) ? obj : null;
        }

        public static bool IsInstanceOfException(MethodTable* target, object obj) =>
            obj != null && IsSubclass(MethodTable.Of(obj), target);

        public static object CheckCastClass(MethodTable* target, object obj)
        {
            if (obj == null || IsSubclass(MethodTable.Of(obj), target)) return obj;
            throw new InvalidCastException();
        }

        public static object CheckCastClassSpecial(MethodTable* target, object obj) => CheckCastClass(target, obj);

        public static object CheckCastInterface(MethodTable* target, object obj)
        {
            if (obj == null || Implements(MethodTable.Of(obj), target)) return obj;
            throw new InvalidCastException();
        }

        public static object CheckCastAny(MethodTable* target, object obj)
        {
            if (obj == null || IsInstance(MethodTable.Of(obj), target)) return obj;
            throw new InvalidCastException();
        }

        // Stores into arrays of reference type must check the element type.
        public static void StelemRef(object[] array, nint index, object obj)
        {
            if ((nuint)index >= (nuint)array.Length) throw new IndexOutOfRangeException();
            if (obj != null)
            {
                MethodTable* element = MethodTable.Of(array)->RelatedType;
                if (!IsInstance(MethodTable.Of(obj), element)) throw new ArrayTypeMismatchException();
            }
            var slot = (void**)((byte*)Sticky.Runtime.ObjectRef.AddressOf(array) + 2 * sizeof(void*)) + index;
            *slot = obj == null ? null : Sticky.Runtime.ObjectRef.AddressOf(obj);
        }
    }
}
