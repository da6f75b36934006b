using Sticky.Mm;

namespace Sticky.Futex
{
    public enum FutexKeyKind : byte
    {
        None = 0,              // default(FutexKey): names no futex
        PrivatePhysical = 1,   // Word1 = frame number,      Word2 = 0
        PrivateVirtual = 2,    // Word1 = address-space id,  Word2 = page-aligned virtual address
        Shared = 3,            // Word1 = shared-object id,  Word2 = page index in the object
    }

#pragma warning disable CS0660, CS0661 // == without Equals(object): the kernel has no boxing equality
    // The name of a futex word: two waiters wait on the same futex iff their keys
    // are equal. Offset is the byte offset of the word in its page (so always a
    // multiple of 4 below 4096). PlainOp marks the key of a plain (not
    // FUTEX_PRIVATE_FLAG) operation on a private (PrivatePhysical or
    // PrivateVirtual) key, as Linux marks it (FUT_OFF_MMSHARED): a plain and a
    // PRIVATE operation on the same word never meet. Shared keys come only
    // from plain operations and leave it false.
    public readonly struct FutexKey
    {
        public readonly FutexKeyKind Kind;
        public readonly bool PlainOp;
        public readonly uint Offset;
        public readonly ulong Word1;
        public readonly ulong Word2;

        public FutexKey(FutexKeyKind kind, ulong word1, ulong word2, uint offset, bool plainOp)
        {
            Kind = kind; Word1 = word1; Word2 = word2; Offset = offset; PlainOp = plainOp;
        }

        public bool IsNone => Kind == FutexKeyKind.None;

        // The frame a physical key names; None for the other kinds.
        public FrameNumber Frame => Kind == FutexKeyKind.PrivatePhysical ? new FrameNumber(Word1) : FrameNumber.None;

        public bool Equals(in FutexKey other) =>
            Kind == other.Kind && PlainOp == other.PlainOp && Offset == other.Offset && Word1 == other.Word1 && Word2 == other.Word2;

        public static bool operator ==(in FutexKey a, in FutexKey b) => a.Equals(in b);
        public static bool operator !=(in FutexKey a, in FutexKey b) => !a.Equals(in b);

        // 64-bit hash: every field folded in, then murmur3's fmix64 finaliser, so
        // neighbouring frames, pages and offsets (the common case: words on one
        // page, consecutive pages) land in unrelated buckets in the low bits.
        public ulong Hash()
        {
            ulong h = Word1 * 0x9E3779B97F4A7C15UL;
            h ^= Rotate(Word2 * 0xC2B2AE3D27D4EB4FUL, 29);
            h ^= ((ulong)Offset << 9) | (PlainOp ? 0x100UL : 0) | (ulong)Kind;
            return Mix(h);
        }

        private static ulong Rotate(ulong x, int n) => (x << n) | (x >> (64 - n));

        private static ulong Mix(ulong h)
        {
            h ^= h >> 33;
            h *= 0xFF51AFD7ED558CCDUL;
            h ^= h >> 33;
            h *= 0xC4CEB9FE1A85EC53UL;
            h ^= h >> 33;
            return h;
        }

#if HOST
        public override string ToString() => Kind + "(0x" + Word1.ToString("x") + ", 0x" + Word2.ToString("x") + ", +" + Offset + (PlainOp ? ", plain" : "") + ")";
#endif
    }
#pragma warning restore CS0660, CS0661
}
