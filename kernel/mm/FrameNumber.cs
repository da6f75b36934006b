namespace Sticky.Mm
{
#pragma warning disable CS0660, CS0661 // == without Equals(object): the kernel has no boxing equality
    // A physical frame: physical address / PageSize. Frame = physical, Page = virtual.
    public readonly struct FrameNumber
    {
        public readonly ulong Value;

        public FrameNumber(ulong value) { Value = value; }

        // "No frame": returned by lookups that find nothing. Not a static readonly
        // field, because the kernel runs no static constructors with code.
        public static FrameNumber None => new FrameNumber(ulong.MaxValue);
        public bool IsNone => Value == ulong.MaxValue;

        public PhysicalAddress Address => new PhysicalAddress(Value << Paging.PageShift);

        public static bool operator ==(FrameNumber a, FrameNumber b) => a.Value == b.Value;
        public static bool operator !=(FrameNumber a, FrameNumber b) => a.Value != b.Value;
#if HOST
        public override string ToString() => IsNone ? "frame none" : "frame 0x" + Value.ToString("x");
#endif
    }
#pragma warning restore CS0660, CS0661
}
