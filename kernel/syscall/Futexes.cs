using Sticky.Arch;
using Sticky.Debug;
using Sticky.Lib;
using Sticky.Futex;
using Sticky.Mm;
using Sticky.Platform;
using Sticky.Proc;
using Sticky.Signal;
using Sticky.Sync;
using Sticky.Time;

namespace Sticky.Sys
{
    // futex(2): the glue between the pure futex core (kernel/futex: decoding,
    // keys per design, the hashed wait table, pins) and the kernel's address
    // spaces and scheduler. See kernel/futex/README.md for the recipe and
    // docs/futex.md for the designs.
    //
    // Lock order: the process's space lock, then bucket lock(s) (lower index
    // first), then the scheduler lock. The word is read through the direct map
    // of a frame resolved under the space lock, so nothing faults under a lock.
    public static unsafe partial class Futexes
    {
        private static FutexTable _table;
        private static SpinLock[] _bucketLocks;
        private static FutexDesign _design;

        public static bool CopyPinnedPagesOnFork => _design == FutexDesign.Sticky;

        public static void Init(CommandLine* commandLine)
        {
            if (!FutexDesigns.FromCommandLine(ref *commandLine, out _design))
                Panic.Halt("futex=: expected sticky, nosticky or virtkey");
            _table = new FutexTable();
            _bucketLocks = new SpinLock[_table.BucketCount];
            if (commandLine->TryGet("smptest", out byte* switches, out int length))
            {
                if (!TestSwitches.Apply(switches, length)) Panic.Halt("smptest=: expected no-eager-wp and/or no-cow-break");
                // Loudly: a kernel that runs like this is broken on purpose.
                Console.Write("smptest: switched off for a test:");
                if (TestSwitches.SkipEagerWriteProtect) Console.Write(" the write-protect before fork's eager copy");
                if (TestSwitches.SkipCowBreakBeforeWait) Console.Write(" the COW break before a futex wait pins");
                Console.WriteLine();
            }
            if (Log.On(Subsystem.Futex, Level.Info))
            {
                Log.Begin(Subsystem.Futex, Level.Info);
                Console.Write("design ");
                Console.Write(FutexDesigns.Name(_design));
                Log.End();
            }
        }

        // Where a futex word is: its key and the frame holding it now.
        private struct Word
        {
            public FutexKey Key;
            public FrameNumber Frame;
            public ulong Address;
            public uint* Pointer => (uint*)(DirectMap.Pointer(Frame) + (Address & Paging.PageMask));
        }

        public static long Syscall(ulong uaddr, int op, uint val, ulong arg4, ulong uaddr2, uint val3)
        {
            // The timeout is checked before anything else, as Linux does (EINVAL before ENOSYS).
            var o = new FutexOp(op);
            long deadline = 0;
            if (o.HasTimeout && arg4 != 0)
            {
                if (!UserMemory.Read(arg4, out SysTime.Timespec ts)) return -Errno.EFAULT;
                int bad = FutexTimeout.Check(ts.Seconds, ts.Nanoseconds);
                if (bad != 0) return -bad;
                deadline = Deadline(o, ts.Seconds, ts.Nanoseconds);
            }
            int err = FutexRequest.Decode(op, uaddr, val, arg4, uaddr2, val3, Paging.UserEnd, out FutexRequest req);
            if (err != 0) return -err;
            switch (req.Op.Command)
            {
                case FutexCommand.Wait:
                case FutexCommand.WaitBitset: return Wait(req, deadline);
                case FutexCommand.Wake:
                case FutexCommand.WakeBitset: return Wake(req.Word, req.Op.IsPrivate, req.Count, req.Bitset);
                case FutexCommand.Requeue: return Requeue(req, compare: false);
                case FutexCommand.CmpRequeue: return Requeue(req, compare: true);
                case FutexCommand.WakeOp: return WakeOp(req);
                case FutexCommand.LockPi:
                case FutexCommand.LockPi2: return LockPi(req.Word, req.Op.IsPrivate, deadline, trylock: false);
                case FutexCommand.TrylockPi: return LockPi(req.Word, req.Op.IsPrivate, 0, trylock: true);
                case FutexCommand.UnlockPi: return UnlockPi(req.Word, req.Op.IsPrivate);
                case FutexCommand.WaitRequeuePi: return WaitRequeuePi(req, deadline);
                case FutexCommand.CmpRequeuePi: return CmpRequeuePi(req);
                default: return -Errno.ENOSYS;   // Decode has refused every other command
            }
        }

        // Monotonic ns for the scheduler; WAIT_BITSET deadlines are absolute on
        // CLOCK_MONOTONIC, or on CLOCK_REALTIME with FUTEX_CLOCK_REALTIME.
        private static long Deadline(FutexOp o, long seconds, long nanoseconds)
        {
            long now = (long)Clock.NowNanoseconds;
            long d = FutexTimeout.Deadline(o, seconds, nanoseconds, now);
            if (!o.TimeoutIsRelative && o.DeadlineIsRealtime) d -= (long)SysTime.BootRealtimeNs;
            return d <= 0 ? 1 : d;   // 0 means "no deadline" to the scheduler: an expired one is 1 ns
        }

        // ---- keys -----------------------------------------------------------

        // Space lock held. Finds (and for waits, faults in; under sticky, breaks
        // COW of) the page holding the word, and its key for an operation with
        // (privateOp) or without FUTEX_PRIVATE_FLAG. `absent`: a wake on a page
        // never touched finds nobody, so it need not fault the page in.
        private static int Locate(Process p, ulong address, bool privateOp, bool forWait, bool forWrite, out Word word, out bool absent)
        {
            word = default;
            absent = false;
            var va = new VirtualAddress(address);
            if (!p.Space.FindRegion(va, out Region r)) return -Errno.EFAULT;
            bool shared = r.IsShared;
            if (FutexKeys.RefusesPlainOpOnReadOnly(_design, shared, privateOp, (r.Protection & Protection.Write) != 0))
                return -Errno.EFAULT;
            bool ownFrame = forWait && FutexKeys.BreaksCowBeforeWait(_design, shared, privateOp) && !TestSwitches.SkipCowBreakBeforeWait;
            FrameNumber frame = FrameNumber.None;
            if (!forWait && !forWrite)
            {
                // A wake looks, it does not fault in. Only a physical key needs the
                // frame (one leaf-entry read), and nobody waits on a private page
                // that is not mapped.
                if (FutexKeys.NeedsFrame(_design, shared, privateOp))
                {
                    if (p.Space.Table.GetEntry(va.PageBase, out PageTableEntry pte) && pte.IsPresent) frame = pte.Frame;
                    else absent = true;
                }
            }
            else
            {
                FaultVerdict v = ownFrame ? p.Space.ResolveOwnFrame(va, out frame) : p.Space.ResolvePage(va, forWrite, out frame);
                if (v == FaultVerdict.OutOfMemory) return -Errno.ENOMEM;
                if (v != FaultVerdict.Handled) return -Errno.EFAULT;
            }
            word.Address = address;
            word.Frame = frame;
            if (!absent)
                word.Key = FutexKeys.For(_design, shared, privateOp, shared ? r.Backing.Id : 0,
                                         shared ? r.BackingPageOf(va.PageBase) : 0, frame, p.Space.Id, address);
            return 0;
        }

        // ---- wait -----------------------------------------------------------

        private static long Wait(in FutexRequest req, long deadline)
        {
            Process p = Processes.Current;
            Thread self = Scheduler.Current;
            if (self.FutexWaiter == null) self.FutexWaiter = new FutexWaiter();
            FutexWaiter w = self.FutexWaiter;

            var locked = p.LockSpace();
            int err = Locate(p, req.Word, req.Op.IsPrivate, forWait: true, forWrite: false, out Word word, out _);
            if (err != 0) { Process.UnlockSpace(locked); return err; }
            int bucket = _table.BucketIndexOf(word.Key);
            ulong flags = _bucketLocks[bucket].AcquireIrqSave();
            if (Volatile(word.Pointer) != req.Value)
            {
                _bucketLocks[bucket].ReleaseIrqRestore(flags);
                Process.UnlockSpace(locked);
                return -Errno.EAGAIN;
            }
            w.Prepare(word.Key, req.Bitset, self);
            FutexPins.Take(KernelMemory.Frames, _design, w);
            _table.Enqueue(w);
            self.FutexWord = req.Word;
            // The scheduler lock is taken before the bucket lock is dropped: a
            // waker needs it to wake us, so it cannot slip in before we block.
            if (Log.On(Subsystem.Futex, Level.Trace)) LogKey("wait queued", req.Word, word.Key, "pinned", w.Pin == FutexPinState.Pinned ? 1 : 0);
            // The frame is pinned and the waiter queued: the space may change now.
            Process.UnlockSpace(locked);
            Scheduler.LockNested();
            _bucketLocks[bucket].Release();
            WakeReason reason = Scheduler.BlockLocked((ulong)deadline, flags);
            self.FutexWord = 0;
            // Woken, timed out or interrupted, the waiter is ours again only once
            // the table says so: a waker may still be walking a chain through it.
            // Still queued (nobody woke it): leave, and say why.
            if (!Leave(w)) return 0;
            if (reason == WakeReason.TimedOut)
            {
                if (Log.On(Subsystem.Futex, Level.Trace)) LogKey("wait timed out", req.Word, w.Key, "pinned", 0);
                return -Errno.ETIMEDOUT;
            }
            return Interrupted(req, deadline);
        }

        // A signal ended the wait (Linux's futex_wait): without a timeout the
        // call restarts if the handler has SA_RESTART (or none runs), else
        // EINTR; with one it is EINTR after a handler, or a restart with the
        // same absolute deadline through restart_syscall.
        private static long Interrupted(in FutexRequest req, long deadline)
        {
            if (deadline == 0) return -SyscallRestart.ERESTARTSYS;
            Scheduler.Current.Restart = new SignalRestart
            {
                Kind = RestartKind.FutexWait, Word = req.Word, Value = req.Value, Bitset = req.Bitset, DeadlineNs = (ulong)deadline,
            };
            return -SyscallRestart.ERESTART_RESTARTBLOCK;
        }

        public static long RestartWait(in SignalRestart r)
        {
            var req = new FutexRequest
            {
                Op = new FutexOp(FutexCommand.WaitBitset), Word = r.Word, Value = r.Value, Count = (int)r.Value, Bitset = r.Bitset,
            };
            return Wait(req, (long)r.DeadlineNs);
        }

        // True if the waiter was still queued and is now out (its pin released);
        // false if a waker took it (and has finished with it).
        private static bool Leave(FutexWaiter w)
        {
            while (true)
            {
                int b = w.Bucket;   // which lock to take; checked again under it
                if (b < 0) return false;
                ulong flags = _bucketLocks[b].AcquireIrqSave();
                FutexTable.LeaveResult r = _table.Leave(w, b);
                if (r == FutexTable.LeaveResult.Removed) FutexPins.Release(KernelMemory.Frames, w);
                _bucketLocks[b].ReleaseIrqRestore(flags);
                if (r != FutexTable.LeaveResult.Moved) return r == FutexTable.LeaveResult.Removed;
            }
        }

        // ---- wake -----------------------------------------------------------

        private static long Wake(ulong address, bool privateOp, int count, uint bitset)
        {
            Process p = Processes.Current;
            var locked = p.LockSpace();
            int err = Locate(p, address, privateOp, forWait: false, forWrite: false, out Word word, out bool absent);
            Process.UnlockSpace(locked);
            if (err != 0 || absent) return err;
            int bucket = _table.BucketIndexOf(word.Key);
            ulong flags = _bucketLocks[bucket].AcquireIrqSave();
            if (_table.HasNonPlainWaiter(word.Key))
            {
                // A PI lock or a WAIT_REQUEUE_PI waiter: not for FUTEX_WAKE (Linux: EINVAL).
                _bucketLocks[bucket].ReleaseIrqRestore(flags);
                return -Errno.EINVAL;
            }
            int n = _table.Wake(word.Key, count, bitset, out FutexWaiter chain);
            WakeChain(chain);
            _bucketLocks[bucket].ReleaseIrqRestore(flags);
            if (Log.On(Subsystem.Futex, Level.Trace)) LogKey("wake", address, word.Key, "woken", n);
            return n;
        }

        // Bucket lock(s) held: release each waiter's pin (frame lock), then make
        // the threads runnable (scheduler lock), keeping the lock order. Each
        // waiter is handed back to its thread (FutexTable.Finish) only after its
        // chain link is read: until then its thread, even one that timed out
        // meanwhile, waits in Leave, so it can neither start a new wait (and
        // reset the link) nor exit (and free the waiter) under our walk.
        private static void WakeChain(FutexWaiter chain)
        {
            for (FutexWaiter w = chain; w != null; w = w.NextInChain) FutexPins.Release(KernelMemory.Frames, w);
            Scheduler.LockNested();
            while (chain != null)
            {
                FutexWaiter next = chain.NextInChain;
                Scheduler.WakeThreadLocked((Thread)chain.Owner);
                FutexTable.Finish(chain);
                chain = next;
            }
            Scheduler.UnlockNested();
        }

        // CLONE_CHILD_CLEARTID at thread exit: a plain (not PRIVATE) wake, as
        // Linux's; a joiner must wait with a plain FUTEX_WAIT (musl and glibc do).
        public static void WakeAtExit(ulong address) => Wake(address, privateOp: false, 1, FutexOp.BitsetMatchAny);

        private static uint Volatile(uint* p) => (uint)Atomic.Add((int*)p, 0);

    }
}
