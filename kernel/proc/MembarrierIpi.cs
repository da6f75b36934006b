using Sticky.Arch;
using Sticky.Sync;

namespace Sticky.Proc
{
    // membarrier(2) on N CPUs, as Linux does it: every other CPU that runs a
    // thread of the caller's process (or, for the global commands, any user
    // thread) takes an IPI whose handler is a locked instruction -- a full
    // barrier there -- and the caller returns only when each has answered.
    // A CPU that switches to such a thread after the targets were chosen
    // passes through the scheduler lock on the way, a barrier of its own.
    //
    // The caller waits for the answers with interrupts ON: a TLB shootdown's
    // initiator waits with them off and may be waiting for this very CPU
    // (docs/locking.md, "Spin locks and shootdowns"). One round at a time,
    // under a sleeping lock taken with no other lock held.
    public static unsafe class MembarrierIpi
    {
        private static Mutex _round;
        private static volatile int _pending;   // CPUs that have not answered this round
        public static long Rounds, Ipis;        // counters (tests read them in the log)

        public static void Init()
        {
            _round = new Mutex();
            Interrupts.RegisterLocal(Interrupts.MembarrierVector, &OnInterrupt);
        }

        // `only`: the process whose running threads must pass a barrier; null: every user thread.
        public static void Run(Process only)
        {
            int fence = 0;
            Atomic.Add(&fence, 0);   // this CPU's own barrier, before the targets are read
            if (Cpus.Count <= 1) return;
            _round.Acquire();
            ulong flags = Scheduler.Lock();
            int self = Cpus.Current->CpuId, targets = 0;
            for (int cpu = 0; cpu < Cpus.Count && cpu < 32; cpu++)
            {
                if (cpu == self) continue;
                Thread t = Scheduler.RunningOnLocked(cpu);
                if (t != null && t.Process != null && (only == null || t.Process == only)) targets |= 1 << cpu;
            }
            Scheduler.Unlock(flags);
            if (targets != 0)
            {
                _pending = targets;
                Rounds++;
                for (int cpu = 0; cpu < Cpus.Count && cpu < 32; cpu++)
                {
                    if ((targets & (1 << cpu)) == 0) continue;
                    LocalApic.Send(Cpus.Get(cpu)->ApicId, Interrupts.MembarrierVector);
                    Ipis++;
                }
                // Interrupts on: this thread may move to a target CPU meanwhile,
                // which then answers its own IPI.
                while (_pending != 0) Cpu.Pause();
            }
            _round.Release();
        }

        private static void OnInterrupt(TrapFrame* frame)
        {
            fixed (int* p = &_pending) Atomic.And(p, ~(1 << Cpus.Current->CpuId));   // locked: the barrier
        }
    }
}
