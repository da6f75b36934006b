namespace Sticky.Mm
{
    // The outcome of AddressSpace.HandleFault; the trap code maps it to a signal.
    public enum FaultVerdict
    {
        Handled,          // retry the instruction
        OutOfMemory,      // a frame was needed and none was left
        NoRegion,         // no region covers the address: SIGSEGV (SEGV_MAPERR)
        AccessViolation,  // a region covers it but forbids this access: SIGSEGV (SEGV_ACCERR)
    }

    // A #PF as the CPU reports it: the address in CR2 and the error code bits.
    public readonly struct PageFault
    {
        private const ulong PresentBit = 1 << 0;
        private const ulong WriteBit = 1 << 1;
        private const ulong UserBit = 1 << 2;
        private const ulong ReservedBit = 1 << 3;
        private const ulong FetchBit = 1 << 4;

        public readonly VirtualAddress Address;
        public readonly ulong ErrorCode;

        public PageFault(ulong cr2, ulong errorCode)
        {
            Address = new VirtualAddress(cr2);
            ErrorCode = errorCode;
        }

        public bool IsPresent => (ErrorCode & PresentBit) != 0;            // protection fault, not a missing page
        public bool IsWrite => (ErrorCode & WriteBit) != 0;
        public bool IsUser => (ErrorCode & UserBit) != 0;
        public bool IsReservedBitSet => (ErrorCode & ReservedBit) != 0;   // a corrupt entry: always a kernel bug
        public bool IsExecute => (ErrorCode & FetchBit) != 0;
    }
}
