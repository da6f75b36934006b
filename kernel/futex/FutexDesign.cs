using Sticky.Platform;

namespace Sticky.Futex
{
    // How a private futex word is named (see docs/design notes, kernel/futex/README.md):
    //   Sticky   (physical frame, offset); WAIT breaks COW and pins the frame; fork copies pinned pages
    //   NoSticky (physical frame, offset), nothing pinned: the 2002 bug, kept to show the lost wakeup
    //   VirtKey  (address space, virtual address): what Linux has done since 2.6.0
    // Shared (MAP_SHARED) words are keyed by (object, page, offset) in every design.
    // Sticky is 0 so a zeroed setting is the default.
    public enum FutexDesign : byte
    {
        Sticky = 0,
        NoSticky = 1,
        VirtKey = 2,
    }

    public static unsafe class FutexDesigns
    {
        public const string CommandLineKey = "futex";

        // The `futex=` value: exactly "sticky", "nosticky" or "virtkey". False for
        // anything else (design is then Sticky, but the caller should say so loudly).
        public static bool TryParse(byte* value, int length, out FutexDesign design)
        {
            design = FutexDesign.Sticky;
            if (CommandLine.Matches(value, length, "sticky")) return true;
            if (CommandLine.Matches(value, length, "nosticky")) { design = FutexDesign.NoSticky; return true; }
            if (CommandLine.Matches(value, length, "virtkey")) { design = FutexDesign.VirtKey; return true; }
            return false;
        }

        // Sticky when `futex=` is absent; false for an unknown value. By ref: the
        // value pointer points into the command line itself.
        public static bool FromCommandLine(ref CommandLine commandLine, out FutexDesign design)
        {
            if (!commandLine.TryGet(CommandLineKey, out byte* value, out int length))
            {
                design = FutexDesign.Sticky;
                return true;
            }
            return TryParse(value, length, out design);
        }

        public static string Name(FutexDesign design)
        {
            switch (design)
            {
                case FutexDesign.Sticky: return "sticky";
                case FutexDesign.NoSticky: return "nosticky";
                case FutexDesign.VirtKey: return "virtkey";
                default: return "?";
            }
        }
    }
}
