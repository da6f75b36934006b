using System.Runtime;
using System.Runtime.CompilerServices;
using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Mm;
using Sticky.Sync;
using Sticky.Time;

namespace Sticky.Proc
{
    // Round-robin and preemptive on every CPU, with ONE run queue: each CPU
    // runs the thread at its head when its own thread blocks, yields, exits or
    // ends its 10 ms slice (its local timer ticks at 1 kHz), and a thread runs
    // on whichever CPU takes it next (migration is free). One IRQ-safe lock
    // guards the run queue, every wait queue, the deadline list and each
    // CPU's record; a switch happens with it held and interrupts off, and the
    // next thread releases it, so no CPU can pick up a thread that another is
    // still switching away from (its registers are saved before the lock goes).
    // Why one queue: with at most a handful of CPUs the lock is short and
    // rarely contended, wakeups need no cross-queue locking, and load balance
    // is automatic; per-CPU queues would buy locality this kernel cannot
    // measure under TCG. docs/processes.md has the details.
    //
    // A CPU with nothing to run halts in its idle thread with its timer off
    // (the boot CPU keeps ticking: it expires deadlines); whoever makes a thread
    // runnable sends one idle CPU the reschedule IPI.
    public static unsafe class Scheduler
    {
        private const int SliceTicks = 10;

        // One per CPU; only that CPU touches its record, with the lock held.
        private sealed class CpuRun
        {
            public Thread Current, Idle;
            public int SliceLeft = SliceTicks;
            public Thread Departed;      // a dead thread this CPU just left: handed to the reaper once off its stack
            public ulong Switches;
        }

        private static SpinLock _lock;
        private static CpuRun[] _cpus;
        private static Thread _runHead, _runTail, _timedHead, _allThreads;
        private static int _idleCpus;   // a bit per CPU halted in its idle thread (guarded by the lock)
        private static int _nextId;
        private static ulong _switches;

        // The running thread: one load through GS (PerCpu.CurrentThread), so it
        // is right even if the caller moves to another CPU the next instant.
        public static Thread Current => CurrentThread();
        public static ulong Switches => _switches;

        [RuntimeImport("*", "context_switch")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void ContextSwitch(ulong* saveRsp, ulong newRsp);
        [RuntimeImport("*", "thread_trampoline")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void Trampoline();
        [RuntimeImport("*", "cpu_current_thread")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern Thread CurrentThread();

        // The boot thread becomes thread 0 of CPU 0; every CPU gets an idle
        // thread that runs when nothing else can. Call before the other CPUs start.
        public static void Init()
        {
            _cpus = new CpuRun[Cpus.Max];
            var boot = new Thread { Id = 0, State = ThreadState.Running, Name = "boot" };
            CpuRun r = _cpus[0] = new CpuRun { Current = boot };
            SetCurrent(boot);
            r.Idle = Create("idle", &IdleLoop, 0, 0, service: true);
            if (r.Idle == null) Panic.Halt("no memory for the idle thread");
            Clock.TickHook = &OnTick;
            Interrupts.RegisterLocal(Interrupts.RescheduleVector, &OnReschedule);
            StackBounds.ThreadStackContains = &CurrentStackContains;
            Smp.StackForCpu = &PrepareCpu;
            Smp.ApplicationProcessorMain = &RunApplicationProcessor;
            Reaper.Init();
        }

        // An application processor's idle thread, whose stack it starts on (Smp).
        private static ulong PrepareCpu(int cpu)
        {
            Thread idle = Create("idle", &IdleLoop, 0, 0, service: true);
            if (idle == null) return 0;
            idle.State = ThreadState.Running;
            _cpus[cpu] = new CpuRun { Current = idle, Idle = idle };
            return idle.StackTop;
        }

        // Smp.ApplicationProcessorMain: the AP, up and on its idle thread's
        // stack, joins the scheduler as an idle CPU.
        private static void RunApplicationProcessor()
        {
            PerCpu* c = Cpus.Current;
            CpuRun r = _cpus[c->CpuId];
            SetCurrent(r.Idle);
            Cpus.LoadKernelStack(r.Idle.StackTop);
            DebugBlock.Update(r.Idle);
            _lock.Acquire();
            _idleCpus |= 1 << c->CpuId;
            _lock.Release();
            IdleLoop(0);
        }

        // A new kernel thread running entry(argument); null when out of memory.
        public static Thread Spawn(string name, delegate*<ulong, void> entry, ulong argument, bool service = false)
        {
            Thread t = Create(name, entry, argument, 0, service);
            if (t != null) Start(t);
            return t;
        }

        // A thread that is not yet runnable, with `reserve` bytes kept free at
        // the top of its stack (a user thread's TrapFrame and SSE area); the
        // caller finishes it, then calls Start. Null when out of memory.
        public static Thread CreateSuspended(string name, delegate*<ulong, void> entry, ulong argument, int reserve) =>
            Create(name, entry, argument, reserve);

        // Frees a thread from CreateSuspended that was never started.
        public static void Discard(Thread t) => Reaper.Free(t);

        public static void Start(Thread t)
        {
            if (Log.On(Subsystem.Sched, Level.Debug)) Log.Write(Subsystem.Sched, Level.Debug, "start", "tid", t.Id);
            ulong flags = _lock.AcquireIrqSave();
            StartLocked(t);
            _lock.ReleaseIrqRestore(flags);
        }

        private static void StartLocked(Thread t)
        {
            t.NextAll = _allThreads;
            _allThreads = t;
            Enqueue(t);
        }

        // The boot thread's last act: start `first` (init) and block for good,
        // in one step under the lock. Started any earlier, init could run
        // while the boot thread, preempted, was still setting the kernel up
        // (its allocations then showed up as init's: a false leak).
        public static void HandOver(Thread first)
        {
            if (Log.On(Subsystem.Sched, Level.Debug)) Log.Write(Subsystem.Sched, Level.Debug, "start", "tid", first.Id);
            _lock.AcquireIrqSave();
            StartLocked(first);
            Current.State = ThreadState.Blocked;   // on no queue and no deadline: nothing wakes it
            Switch();
        }

        // The id the next thread will get (/proc/loadavg's last pid is one less).
        public static int NextId => _nextId;

        // Every live thread (for diagnostics); follow NextAll with the lock held.
        public static Thread AllThreads => _allThreads;

        // Lock held: ends a blocking wait early (the thread's process is being
        // killed), unless the wait is uninterruptible (a Mutex: its holder will
        // release it soon, and the thread leaves after).
        public static void InterruptLocked(Thread t)
        {
            if (t.State == ThreadState.Blocked && !t.Uninterruptible) MakeRunnable(t, WakeReason.Interrupted);
        }

        private static void IdleLoop(ulong _)
        {
            while (true) Cpu.EnableInterruptsAndHalt();
        }

        // `service`: one of the kernel's own threads (each CPU's idle), id 0 like
        // Linux's swapper; ids from 1 go to threads that do work (init is 1).
        private static Thread Create(string name, delegate*<ulong, void> entry, ulong argument, int reserve, bool service = false)
        {
            ulong top = KernelStackAllocator.Allocate();
            if (top == 0) return null;
            var t = new Thread { Name = name, StackTop = top, State = ThreadState.Runnable };
            // The frame context_switch pops: r15 r14 r13 r12 rbx rbp, then returns to the trampoline.
            ulong* sp = (ulong*)(top - (ulong)reserve) - 8;
            sp[0] = 0; sp[1] = 0; sp[2] = argument; sp[3] = (ulong)entry; sp[4] = 0; sp[5] = 0;
            sp[6] = (ulong)(delegate*<void>)&Trampoline;
            sp[7] = 0;
            t.SavedRsp = (ulong)sp;
            // Ids are never reused; an atomic increment keeps two CPUs from handing out one twice.
            if (!service) fixed (int* id = &_nextId) t.Id = Atomic.Add(id, 1);
            return t;
        }

        public static void Yield()
        {
            ulong flags = _lock.AcquireIrqSave();
            CpuRun r = This();
            if (r.Current != r.Idle && _runHead != null)
            {
                r.Current.State = ThreadState.Runnable;
                Append(r.Current);
                Switch();
            }
            _lock.ReleaseIrqRestore(flags);
        }

        // Blocks on `queue` until woken or until `deadlineNs` (monotonic, 0 = none).
        // A caller whose wakeup condition could change between its check and this
        // call must instead check under Lock() and call WaitLocked (futex does).
        public static WakeReason Wait(WaitQueue queue, ulong deadlineNs) => WaitLocked(queue, deadlineNs, _lock.AcquireIrqSave());

        // For callers that checked their condition with the lock held (futex: no lost wakeup).
        public static ulong Lock() => _lock.AcquireIrqSave();
        public static void Unlock(ulong flags) => _lock.ReleaseIrqRestore(flags);

        // For callers that already run with interrupts off under their own lock
        // (futex buckets): take the scheduler lock inside it, then BlockLocked.
        public static void LockNested() => _lock.Acquire();
        public static void UnlockNested() => _lock.Release();

        // Blocks outside any WaitQueue: whoever queued the thread elsewhere (the
        // futex table) wakes it with WakeThreadLocked. `flags` are the interrupt
        // flags to restore afterwards.
        public static WakeReason BlockLocked(ulong deadlineNs, ulong flags) => WaitLocked(null, deadlineNs, flags);

        public static WakeReason WaitLocked(WaitQueue queue, ulong deadlineNs, ulong flags) =>
            Block(queue, deadlineNs, flags, interruptible: true);

        // Every sleep that a syscall starts is interruptible: a signal that
        // needs delivery ends it (Interrupted; the call returns EINTR or
        // restarts). The kernel's own short sleeps (Sleep) are not.
        private static WakeReason Block(WaitQueue queue, ulong deadlineNs, ulong flags, bool interruptible)
        {
            Thread t = Current;
            t.WakeReason = WakeReason.None;
            t.WaitDeadline = deadlineNs;
            // A thread told to end never starts a sleep, interruptible or not.
            // Whoever tells it (Processes.KillLocked, EndOtherThreads) sets the
            // reason under this lock and interrupts only threads already
            // Blocked; a thread that was between its syscall's entry and here
            // (preempted, or on another CPU) sees the reason now instead. Every
            // caller returns EINTR (or gives up) on Interrupted, and the thread
            // leaves on its way to user mode. Signals (kernel/proc/SignalSend.cs)
            // work the same way for interruptible sleeps: one sent before this
            // point set the flag under this lock; one sent later finds the
            // thread Blocked and interruptible, and interrupts it.
            t.SleepsInterruptibly = interruptible;
            if (t.ExitPending || (interruptible && t.SigPendingFlag))
            {
                _lock.ReleaseIrqRestore(flags);
                return WakeReason.Interrupted;
            }
            if (deadlineNs != 0 && deadlineNs <= Clock.NowNanoseconds)
            {
                _lock.ReleaseIrqRestore(flags);
                return WakeReason.TimedOut;
            }
            if (queue != null) queue.Append(t);
            if (deadlineNs != 0) AddTimed(t);
            t.State = ThreadState.Blocked;
            Switch();
            WakeReason reason = t.WakeReason;
            _lock.ReleaseIrqRestore(flags);
            return reason;
        }

        // A wait that only WakeLocked ends (Mutex): no deadline, and neither a
        // signal nor a kill ends it (the holder always lets go; then the thread
        // leaves, if it must).
        public static void WaitUninterruptibleLocked(WaitQueue queue, ulong flags)
        {
            Thread t = Current;
            t.Uninterruptible = true;
            t.SleepsInterruptibly = false;
            t.WakeReason = WakeReason.None;
            t.WaitDeadline = 0;
            queue.Append(t);
            t.State = ThreadState.Blocked;
            Switch();
            t.Uninterruptible = false;
            _lock.ReleaseIrqRestore(flags);
        }

        // The kernel's own waits (an execve waiting for its other threads, the
        // OOM killer's pause): signals do not end them, a kill does.
        public static void Sleep(ulong nanoseconds) => Block(null, Clock.NowNanoseconds + nanoseconds, Lock(), interruptible: false);

        // Blocks on no queue until the deadline (monotonic ns): TimedOut, or
        // Interrupted if the thread's process is being killed.
        public static WakeReason SleepUntil(ulong deadlineNs) => BlockLocked(deadlineNs, Lock());

        // Wakes up to `count` waiters in FIFO order; returns how many.
        public static int Wake(WaitQueue queue, int count)
        {
            ulong flags = _lock.AcquireIrqSave();
            int n = WakeLocked(queue, count);
            _lock.ReleaseIrqRestore(flags);
            return n;
        }

        // Wakes one particular waiter (futex: waiters of many keys share a queue).
        public static void WakeThreadLocked(Thread t)
        {
            if (t.State == ThreadState.Blocked) MakeRunnable(t, WakeReason.Woken);
        }

        public static int WakeLocked(WaitQueue queue, int count)
        {
            int n = 0;
            while (n < count && queue.Head != null) { MakeRunnable(queue.Head, WakeReason.Woken); n++; }
            return n;
        }

        // A new thread's first instructions run here, still inside the Switch that
        // started it: finish that switch's work and drop its lock.
        [RuntimeExport("thread_first_run")]
        private static void FirstRun()
        {
            AfterSwitch();
            _lock.Release();
        }

        [RuntimeExport("thread_exit_current")]
        public static void Exit()
        {
            _lock.AcquireIrqSave();
            Reaper.DyingLocked(Current);
            Current.State = ThreadState.Dead;
            Switch();
            Panic.Halt("a dead thread was scheduled");
        }

        private static void MakeRunnable(Thread t, WakeReason reason)
        {
            if (t.WaitingOn != null) t.WaitingOn.Remove(t);
            if (t.WaitDeadline != 0) RemoveTimed(t);
            t.WakeReason = reason;
            t.State = ThreadState.Runnable;
            Enqueue(t);
        }

        // A thread that became runnable: queued, and an idle CPU (if any) is told.
        private static void Enqueue(Thread t)
        {
            Append(t);
            KickIdleCpu();
        }

        private static void Append(Thread t)
        {
            t.NextRunnable = null;
            if (_runTail != null) _runTail.NextRunnable = t; else _runHead = t;
            _runTail = t;
        }

        // Lock held. One idle CPU other than this one gets the reschedule IPI;
        // its bit is cleared so the next thread queued wakes another. (This CPU,
        // if idle, is in an interrupt handler that checks the queue itself.)
        private static void KickIdleCpu()
        {
            int others = _idleCpus & ~(1 << Cpus.Current->CpuId);
            if (others == 0) return;
            int cpu = 0;
            while ((others & (1 << cpu)) == 0) cpu++;
            _idleCpus &= ~(1 << cpu);
            LocalApic.Send(Cpus.Get(cpu)->ApicId, Interrupts.RescheduleVector);
        }

        // The reschedule IPI: an idle CPU takes the work it was told about, if
        // another CPU did not take it first.
        private static void OnReschedule(TrapFrame* frame)
        {
            _lock.Acquire();
            CpuRun r = This();
            if (r.Current == r.Idle)
            {
                if (_runHead != null) Switch();
                else _idleCpus |= 1 << Cpus.Current->CpuId;
            }
            _lock.Release();
        }

        private static CpuRun This() => _cpus[Cpus.Current->CpuId];

        private static void SetCurrent(Thread t) => Cpus.Current->CurrentThread = (ulong)Sticky.Runtime.ObjectRef.AddressOf(t);

        // Lock held, interrupts off. Picks the next thread and switches to it.
        // What a switch changes on the CPU belongs to the code that owns it: the
        // kernel stack for entries from ring 3 (Cpus), the TLS base and FPU
        // state (UserMode), the address space (LoadedSpaces), what gdb sees
        // (DebugBlock), and the dead thread's stack (the Reaper, after the switch).
        private static void Switch()
        {
            PerCpu* cpu = Cpus.Current;
            CpuRun r = _cpus[cpu->CpuId];
            Thread next = _runHead;
            if (next != null) { _runHead = next.NextRunnable; if (_runHead == null) _runTail = null; }
            else next = r.Idle;
            Thread prev = r.Current;
            r.SliceLeft = SliceTicks;
            if (next == prev) { prev.State = ThreadState.Running; return; }
            if (prev.State == ThreadState.Dead) r.Departed = prev;
            next.State = ThreadState.Running;
            r.Switches++;
            _switches++;
            int bit = 1 << cpu->CpuId;
            if (next == r.Idle)
            {
                _idleCpus |= bit;
                if (cpu->CpuId != 0) Clock.StopLocalTimer();   // nothing to preempt; the boot CPU keeps time
                LoadedSpaces.Load(null);                       // a sleeping CPU gets no TLB shootdowns
            }
            else if (prev == r.Idle)
            {
                _idleCpus &= ~bit;
                if (cpu->CpuId != 0) Clock.StartLocalTimer();
            }
            if (next.StackTop != 0) Cpus.LoadKernelStack(next.StackTop);
            if (next.Process != null)
            {
                UserMode.LoadFsBase(next.FsBase);
                // Kernel threads keep whatever is loaded: they never touch the lower half.
                LoadedSpaces.Load(next.Process.Space);
            }
            r.Current = next;   // only now: a panic above names, and backtraces, the thread still running
            SetCurrent(next);
            DebugBlock.Update(next);
            // A user thread's x87 and MXCSR state lives in the registers while
            // it runs, kernel code included (which touches only XMM, saved on
            // entry): it is put aside here and taken back when this thread runs
            // again, on whichever CPU that is.
            bool keepsFpu = prev.FpuState != null && prev.State != ThreadState.Dead;
            if (keepsFpu) Fpu.Save(prev.FpuState);
            fixed (ulong* save = &prev.SavedRsp) ContextSwitch(save, next.SavedRsp);   // objects never move: no collector
            if (keepsFpu) Fpu.Restore(prev.FpuState);   // running as prev again, maybe on another CPU
            AfterSwitch();
        }

        // Lock held, on the CPU that just switched: the thread it left is off
        // that stack now, so a dead one can be freed.
        private static void AfterSwitch()
        {
            CpuRun r = This();
            Thread dead = r.Departed;
            if (dead == null) return;
            r.Departed = null;
            Unlink(dead);
            Reaper.FreeLocked(dead);
        }

        // Lock held: the thread leaves the list of live threads.
        private static void Unlink(Thread t)
        {
            if (_allThreads == t) { _allThreads = t.NextAll; return; }
            for (Thread p = _allThreads; p != null; p = p.NextAll)
                if (p.NextAll == t) { p.NextAll = t.NextAll; return; }
        }

        private static void AddTimed(Thread t)
        {
            t.PrevTimed = null;
            t.NextTimed = _timedHead;
            if (_timedHead != null) _timedHead.PrevTimed = t;
            _timedHead = t;
        }

        private static void RemoveTimed(Thread t)
        {
            if (t.PrevTimed != null) t.PrevTimed.NextTimed = t.NextTimed; else if (_timedHead == t) _timedHead = t.NextTimed;
            if (t.NextTimed != null) t.NextTimed.PrevTimed = t.PrevTimed;
            t.NextTimed = t.PrevTimed = null;
            t.WaitDeadline = 0;
        }

        // Every CPU's timer interrupt (interrupts off): the boot CPU expires
        // deadlines; each CPU ends its thread's slice.
        private static void OnTick()
        {
            _lock.Acquire();
            CpuRun r = This();
            if (r == _cpus[0] && _timedHead != null)
            {
                ulong now = Clock.NowNanoseconds;
                for (Thread t = _timedHead; t != null;)
                {
                    Thread next = t.NextTimed;
                    if (t.WaitDeadline <= now) MakeRunnable(t, WakeReason.TimedOut);
                    t = next;
                }
            }
            if (r.Current == r.Idle)
            {
                if (_runHead != null) Switch();
            }
            else if (--r.SliceLeft <= 0)
            {
                // Preempt: as Yield, under the lock already held; alone, the thread keeps the CPU.
                r.SliceLeft = SliceTicks;
                if (_runHead != null)
                {
                    r.Current.State = ThreadState.Runnable;
                    Append(r.Current);
                    Switch();
                }
            }
            _lock.Release();
        }

        private static bool CurrentStackContains(ulong address, ulong size)
        {
            Thread t = Current;
            if (t == null || t.StackTop == 0) return false;
            ulong bottom = t.StackTop - (KernelStackAllocator.SlotSize - Paging.PageSize);
            return address >= bottom && address + size <= t.StackTop;
        }

        // ---- diagnostics (lock held) -----------------------------------------

        public static int CpuCount => Cpus.Count;
        public static Thread RunningOnLocked(int cpu) => _cpus[cpu] != null ? _cpus[cpu].Current : null;
        public static ulong SwitchesOnLocked(int cpu) => _cpus[cpu] != null ? _cpus[cpu].Switches : 0;
        public static bool IsIdleLocked(int cpu) => _cpus[cpu] != null && _cpus[cpu].Current == _cpus[cpu].Idle;
    }
}
