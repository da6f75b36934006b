namespace System
{
    // Layout is a compiler contract: [MethodTable*][int length][chars...].
    // Kernel code treats strings as immutable literals; it never builds
    // strings at run time (there is no collector to reclaim them).
    public sealed unsafe class String
    {
        private readonly int _stringLength;
        private char _firstChar;

        public int Length => _stringLength;

        public char this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_stringLength)
                    Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                fixed (char* p = &_firstChar) return p[index];
            }
        }

        // Used by `fixed (char* p = str)`.
        public ref readonly char GetPinnableReference() => ref _firstChar;

        public static bool Equals(string a, string b)
        {
            if ((object)a == (object)b) return true;
            if ((object)a == null || (object)b == null || a._stringLength != b._stringLength) return false;
            for (int i = 0; i < a._stringLength; i++)
                if (a[i] != b[i]) return false;
            return true;
        }

        public static bool operator ==(string a, string b) => Equals(a, b);
        public static bool operator !=(string a, string b) => !Equals(a, b);
        public override bool Equals(object o) => o is string s && Equals(this, s);
        public override int GetHashCode() => _stringLength;
    }
}
