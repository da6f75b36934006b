namespace Sticky.Arch
{
    // Hardware interrupt routing: IRQ line -> handler. Handlers run with
    // interrupts off and must be short; they acknowledge the PIC at the end.
    public static unsafe class Interrupts
    {
        public const int TimerIrq = 0, SerialIrq = 4;

        private struct HandlerTable { public fixed ulong Handlers[16]; }
        private static HandlerTable _handlers;

        public static void Register(int irq, delegate*<TrapFrame*, void> handler)
        {
            fixed (ulong* h = _handlers.Handlers) h[irq] = (ulong)handler;
            Pic.Unmask(irq);
        }

        public static void HandleIrq(int irq, TrapFrame* frame)
        {
            if (Pic.IsSpurious(irq)) return;
            ulong handler;
            fixed (ulong* h = _handlers.Handlers) handler = h[irq];
            // Acknowledge first: a handler may switch threads and not return here for a while.
            Pic.EndOfInterrupt(irq);
            if (handler != 0) ((delegate*<TrapFrame*, void>)handler)(frame);
        }
    }
}
