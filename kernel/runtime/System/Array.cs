namespace System
{
    // Layout is a compiler contract: [MethodTable*][int length][pad][elements...].
    public abstract class Array
    {
        private int _numComponents;
        public int Length => _numComponents;
    }

    // ILC instantiates this as the base of every T[].
    public class Array<T> : Array { }
}
