namespace Sticky.Lib
{
    // Steps of the sticky futex design that a test may switch off, to show that
    // the test detects what each step prevents (kernel command line
    // `smptest=no-eager-wp,no-cow-break`; never set otherwise). Each is named
    // after the race it lets through.
    public static unsafe class TestSwitches
    {
        // Fork copies a pinned page without write-protecting the parent's PTE
        // first: a parent thread writing it on another CPU tears the copy.
        public static bool SkipEagerWriteProtect;

        // FUTEX_WAIT pins the frame without breaking COW first (Martin Wirth's
        // race): the waiter is hashed on a frame both processes map.
        public static bool SkipCowBreakBeforeWait;

        public static bool Any => SkipEagerWriteProtect || SkipCowBreakBeforeWait;

        // `value`: the comma-separated switch names. False (and nothing set) if
        // one is unknown.
        public static bool Apply(byte* value, int length)
        {
            bool wp = false, cow = false;
            int start = 0;
            for (int i = 0; i <= length; i++)
            {
                if (i < length && value[i] != (byte)',') continue;
                if (Is(value + start, i - start, "no-eager-wp")) wp = true;
                else if (Is(value + start, i - start, "no-cow-break")) cow = true;
                else return false;
                start = i + 1;
            }
            SkipEagerWriteProtect = wp;
            SkipCowBreakBeforeWait = cow;
            return true;
        }

        private static bool Is(byte* word, int length, string name)
        {
            if (length != name.Length) return false;
            for (int i = 0; i < length; i++) if (word[i] != (byte)name[i]) return false;
            return true;
        }
    }
}
