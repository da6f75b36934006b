namespace Sticky.Runtime
{
    // The runtime's only way out: a kernel panic with a reason.
    public static class RuntimeFailure
    {
        public static void Fail(string reason) => Sticky.Debug.Panic.Halt(reason);
    }
}

namespace Sticky.Runtime
{
    public static class FailFast
    {
        // ILC's fallback for "cannot continue" (e.g. a corrupted stack cookie).
        [System.Runtime.RuntimeExport("rt_fail_fast")]
        private static void Fail() => RuntimeFailure.Fail("runtime fail-fast (stack cookie or corrupted state)");
    }
}
