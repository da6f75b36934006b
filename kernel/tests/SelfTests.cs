namespace Sticky.Tests
{
    // The list of in-kernel tests; each area keeps its tests in its own file.
    public static class SelfTests
    {
        public static void RegisterAll()
        {
            RuntimeTests.Register();
            FaultTests.Register();
            TimerTests.Register();
            HeapTests.Register();
            MemoryTests.Register();
            SchedulerTests.Register();
            ProtectionTests.Register();
        }
    }
}
