namespace Sticky.Arch
{
    // Hardware interrupt routing: a legacy PIC line (IRQ 0..15, vectors 32..47,
    // delivered to the boot CPU) or a local APIC vector (48..63: each CPU's
    // timer, inter-processor interrupts) -> handler. Handlers run with
    // interrupts off and must be short; the interrupt is acknowledged before the
    // handler runs, since a handler may switch threads and not return for a while.
    public static unsafe class Interrupts
    {
        public const int TimerIrq = 0, SerialIrq = 4;
        public const int LocalBase = Traps.IrqBase + 16;
        public const int LocalTimerVector = LocalBase, RescheduleVector = LocalBase + 1, ShootdownVector = LocalBase + 2,
            MembarrierVector = LocalBase + 3;
        public const int LocalCount = 16;

        private struct HandlerTable { public fixed ulong Handlers[16]; }
        private static HandlerTable _handlers, _local;

        // `handler` runs on whichever CPU the local APIC vector arrives at.
        public static void RegisterLocal(int vector, delegate*<TrapFrame*, void> handler)
        {
            fixed (ulong* h = _local.Handlers) h[vector - LocalBase] = (ulong)handler;
        }

        public static void HandleLocal(int vector, TrapFrame* frame)
        {
            ulong handler;
            fixed (ulong* h = _local.Handlers) handler = h[vector - LocalBase];
            LocalApic.EndOfInterrupt();
            if (handler != 0) ((delegate*<TrapFrame*, void>)handler)(frame);
        }

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
            Pic.EndOfInterrupt(irq);
            if (handler != 0) ((delegate*<TrapFrame*, void>)handler)(frame);
        }
    }
}
