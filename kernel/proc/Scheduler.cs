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
    // Round-robin, preemptive: the 1 kHz tick ends a thread's 10 ms slice and
    // wakes threads whose wait deadline passed. One lock (IRQ-safe) guards the
    // run queue, every wait queue and the deadline list; the switch happens with
    // it held and interrupts off, and the next thread releases it. One CPU today:
    // the run queue moves into PerCpu with SMP.
    public static unsafe class Scheduler
    {
        private const int SliceTicks = 10;

        private static SpinLock _lock;
        private static Thread _current, _idle, _runHead, _runTail, _timedHead, _reap, _allThreads;
        private static int _nextId = 1, _sliceLeft = SliceTicks;
        private static ulong _switches;

        public static Thread Current => _current;
        public static ulong Switches => _switches;

        [RuntimeImport("*", "context_switch")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void ContextSwitch(ulong* saveRsp, ulong newRsp);
        [RuntimeImport("*", "thread_trampoline")] [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void Trampoline();

        // The boot thread becomes thread 0; an idle thread runs when nothing else can.
        public static void Init()
        {
            _current = new Thread { Id = 0, State = ThreadState.Running, Name = "boot" };
            _idle = Create("idle", &IdleLoop, 0, 0);
            if (_idle == null) Panic.Halt("no memory for the idle thread");
            _idle.Id = 0;   // like Linux's swapper: ids from 1 go to threads that do work (init is 1)
            _nextId = 1;
            Clock.TickHook = &OnTick;
            StackBounds.ThreadStackContains = &CurrentStackContains;
        }

        // A new kernel thread running entry(argument); null when out of memory.
        public static Thread Spawn(string name, delegate*<ulong, void> entry, ulong argument)
        {
            Thread t = Create(name, entry, argument, 0);
            if (t != null) Start(t);
            return t;
        }

        // A thread that is not yet runnable, with `reserve` bytes kept free at
        // the top of its stack (a user thread's TrapFrame and SSE area); the
        // caller finishes it, then calls Start. Null when out of memory.
        public static Thread CreateSuspended(string name, delegate*<ulong, void> entry, ulong argument, int reserve) =>
            Create(name, entry, argument, reserve);

        // Frees a thread from CreateSuspended that was never started.
        public static void Discard(Thread t)
        {
            if (t.FutexWaiter != null) KernelHeap.Free(t.FutexWaiter);
            if (t.FpuState != null) KernelHeap.Free(t.FpuState);
            KernelStackAllocator.Free(t.StackTop);
            KernelHeap.Free(t);
        }

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
            _current.State = ThreadState.Blocked;   // on no queue and no deadline: nothing wakes it
            Switch();
        }

        // The id the next thread will get (/proc/loadavg's last pid is one less).
        public static int NextId => _nextId;

        // Every live thread (for diagnostics); follow NextAll.
        public static Thread AllThreads => _allThreads;

        // Lock held: ends a blocking wait early (the thread's process is being killed).
        public static void InterruptLocked(Thread t)
        {
            if (t.State == ThreadState.Blocked) MakeRunnable(t, WakeReason.Interrupted);
        }

        private static void IdleLoop(ulong _)
        {
            while (true) Cpu.EnableInterruptsAndHalt();
        }

        private static Thread Create(string name, delegate*<ulong, void> entry, ulong argument, int reserve)
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
            // Atomic: threads are created with interrupts on, from any thread
            // (clone, fork), and a read-modify-write split by a preemption (or
            // another CPU) would hand out one id twice.
            fixed (int* next = &_nextId) t.Id = Atomic.Add(next, 1) - 1;
            return t;
        }

        public static void Yield()
        {
            ulong flags = _lock.AcquireIrqSave();
            if (_current != _idle) { _current.State = ThreadState.Runnable; Enqueue(_current); }
            Switch();
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
            Thread t = _current;
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
            ReapDead();
            _lock.Release();
        }

        [RuntimeExport("thread_exit_current")]
        public static void Exit()
        {
            _lock.AcquireIrqSave();
            _current.State = ThreadState.Dead;
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

        private static void Enqueue(Thread t)
        {
            t.NextRunnable = null;
            if (_runTail != null) _runTail.NextRunnable = t; else _runHead = t;
            _runTail = t;
        }

        // Lock held, interrupts off. Picks the next thread and switches to it.
        private static void Switch()
        {
            Thread next = _runHead;
            if (next != null) { _runHead = next.NextRunnable; if (_runHead == null) _runTail = null; }
            else next = _idle;
            Thread prev = _current;
            _sliceLeft = SliceTicks;
            if (next == prev) { prev.State = ThreadState.Running; return; }
            if (prev.State == ThreadState.Dead) { prev.NextRunnable = _reap; _reap = prev; }
            next.State = ThreadState.Running;
            _switches++;
            if (next.StackTop != 0) Cpus.Current->Tss.Rsp0 = Cpus.Current->KernelStackTop = next.StackTop;
            if (next.Process != null)
            {
                UserMode.LoadFsBase(next.FsBase);
                // Kernel threads keep whatever is loaded: they never touch the lower half.
                if (KernelPageFaults.Current != next.Process.Space) KernelPageFaults.Switch(next.Process.Space);
            }
            _current = next;   // only now: a panic above names, and backtraces, the thread still running
            DebugBlock.Update(next);
            // A user thread's x87 and MXCSR state lives in the registers while
            // it runs, kernel code included (which touches only XMM, saved on
            // entry): it is put aside here and taken back when this thread runs again.
            bool keepsFpu = prev.FpuState != null && prev.State != ThreadState.Dead;
            if (keepsFpu) Fpu.Save(prev.FpuState);
            fixed (ulong* save = &prev.SavedRsp) ContextSwitch(save, next.SavedRsp);   // objects never move: no collector
            if (keepsFpu) Fpu.Restore(prev.FpuState);   // running as prev again
            ReapDead();
        }

        // Dead threads' stacks are freed by whoever runs next, never by themselves.
        private static void ReapDead()
        {
            while (_reap != null && _reap != _current)
            {
                Thread t = _reap;
                _reap = t.NextRunnable;
                Unlink(t);
                if (Log.On(Subsystem.Sched, Level.Debug)) Log.Write(Subsystem.Sched, Level.Debug, "reaped", "tid", t.Id);
                Discard(t);
            }
        }

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

        // Timer interrupt (interrupts off): expire deadlines, end the slice.
        private static void OnTick()
        {
            _lock.Acquire();
            ulong now = _timedHead != null ? Clock.NowNanoseconds : 0;
            for (Thread t = _timedHead; t != null;)
            {
                Thread next = t.NextTimed;
                if (t.WaitDeadline <= now) MakeRunnable(t, WakeReason.TimedOut);
                t = next;
            }
            if (--_sliceLeft <= 0 || (_current == _idle && _runHead != null))
            {
                // Preempt: as Yield, under the lock already held (interrupts are off here).
                if (_current != _idle) { _current.State = ThreadState.Runnable; Enqueue(_current); }
                Switch();
            }
            _lock.Release();
        }

        private static bool CurrentStackContains(ulong address, ulong size)
        {
            Thread t = _current;
            if (t == null || t.StackTop == 0) return false;
            ulong bottom = t.StackTop - (KernelStackAllocator.SlotSize - Paging.PageSize);
            return address >= bottom && address + size <= t.StackTop;
        }
    }
}
