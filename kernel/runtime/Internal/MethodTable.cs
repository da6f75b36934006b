namespace Internal.Runtime
{
    // The head of ILC 10's MethodTable (src/coreclr/nativeaot/Runtime/inc/MethodTable.h).
    // A compiler contract: it changes between major ILC versions.
    public unsafe struct MethodTable
    {
        private const uint HasComponentSizeFlag = 0x80000000;
        private const uint KindMask = 0x00030000;
        private const uint ParameterizedKind = 0x00020000;
        private const uint ElementTypeMask = 0x7C000000;
        private const int ElementTypeShift = 26;
        private const uint InterfaceElementType = 0x15;

        private uint _flags;
        private uint _baseSize;
        private MethodTable* _relatedType;
        private ushort _numVtableSlots;
        private ushort _numInterfaces;
        private uint _hashCode;

        public uint BaseSize => _baseSize;
        public ushort ComponentSize => (_flags & HasComponentSizeFlag) != 0 ? (ushort)_flags : (ushort)0;
        public bool IsParameterized => (_flags & KindMask) == ParameterizedKind;
        public bool IsInterface => ((_flags & ElementTypeMask) >> ElementTypeShift) == InterfaceElementType;
        // Base type for classes; element type for arrays.
        public MethodTable* RelatedType => _relatedType;
        public int InterfaceCount => _numInterfaces;

        // The interface list follows the vtable.
        public MethodTable** Interfaces
        {
            get
            {
                fixed (MethodTable* self = &this)
                    return (MethodTable**)((byte*)self + sizeof(MethodTable) + _numVtableSlots * sizeof(void*));
            }
        }

        public static MethodTable* Of(object o) => o.m_pMethodTable;
    }
}
