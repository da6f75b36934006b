using System.Runtime;

namespace Sticky.Runtime
{
    // `throw` compiles to a call to RhpThrowEx. The kernel has no unwinder by
    // design (docs/runtime.md): an exception in the kernel is a bug, so it panics,
    // naming the exception type (resolved from its MethodTable symbol) and message.
    public static unsafe class ExceptionHandling
    {
        [RuntimeExport("RhpThrowEx")]
        private static void ThrowEx(System.Exception e) =>
            Sticky.Debug.Panic.UnhandledException(Internal.Runtime.MethodTable.Of(e), e.Message);

        [RuntimeExport("RhpRethrow")]
        private static void Rethrow() => RuntimeFailure.Fail("rethrow without an exception");
    }
}
