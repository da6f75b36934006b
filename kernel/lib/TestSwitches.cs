namespace Sticky.Lib
{
    // Steps of the sticky futex design that a test may switch off, to show that
    // the test detects what each step prevents (kernel command line
    // `smptest=no-eager-wp,no-cow-break`; never set otherwise). Each is named
    // after the race it lets through.
    public static class TestSwitches
    {
        // Fork copies a pinned page without write-protecting the parent's PTE
        // first: a parent thread writing it on another CPU tears the copy.
        public static bool SkipEagerWriteProtect;

        // FUTEX_WAIT pins the frame without breaking COW first (Martin Wirth's
        // race): the waiter is hashed on a frame both processes map.
        public static bool SkipCowBreakBeforeWait;
    }
}
