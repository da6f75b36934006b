using Sticky.Arch;

namespace Sticky.Sync
{
    // A test-and-set spinlock. Interrupt-safe variants disable interrupts on the
    // local CPU for the critical section, so an interrupt handler on the same CPU
    // can never spin on a lock its own CPU holds. Single CPU today; the atomic
    // exchange makes it correct when SMP arrives.
    public unsafe struct SpinLock
    {
        private int _held;

        public ulong AcquireIrqSave()
        {
            ulong flags = Cpu.SaveAndDisableInterrupts();
            Acquire();
            return flags;
        }

        public void ReleaseIrqRestore(ulong flags)
        {
            Release();
            Cpu.RestoreInterrupts(flags);
        }

        public void Acquire()
        {
            fixed (int* p = &_held)
                while (Atomic.Exchange(p, 1) != 0)
                    while (Atomic.CompareExchange(p, 0, 0) != 0) Cpu.Pause();   // read without writing the line
        }

        // One attempt: for a caller that must do something else while it waits.
        public bool TryAcquire()
        {
            fixed (int* p = &_held) return Atomic.Exchange(p, 1) == 0;
        }

        public void Release()
        {
            fixed (int* p = &_held) Atomic.Exchange(p, 0);
        }

        public bool IsHeld => _held != 0;
    }
}
