namespace Internal.Runtime
{
    // ILC emits one ReadyToRun header per module; its sections locate the
    // runtime data we must initialise before managed code runs.
    public struct ReadyToRunHeader
    {
        public const uint ExpectedSignature = 0x00525452; // "RTR"
        public uint Signature;
        public ushort MajorVersion;
        public ushort MinorVersion;
        public uint Flags;
        public ushort NumberOfSections;
        public byte EntrySize;
        public byte EntryType;
    }

    public unsafe struct ModuleInfoRow
    {
        public int SectionId;
        public int Flags;
        public void* Start;
        public void* End;
    }

    public static class ReadyToRunSection
    {
        public const int GCStaticRegion = 201;
        public const int EagerCctor = 205;
    }
}
