using Sticky.Arch;
using Sticky.Futex;
using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;
using Sticky.Time;

namespace Sticky.Sys
{
    // futex_waitv (449): one thread waits on up to 128 words at once and
    // returns the index of the one that woke it. Each word gets its own
    // queued waiter (keys, pins and COW breaks as for FUTEX_WAIT), so the
    // three designs and the sticky rules hold here too.
    public static unsafe partial class Futexes
    {
        private const int WaitvMax = 128;              // FUTEX_WAITV_MAX
        private const uint Futex2Size32 = 2, Futex2Private = 128;

        private struct WaitvEntry { public ulong Value, Address; public uint Flags, Reserved; }

        public static long Waitv(ulong waiters, uint count, uint flags, ulong timeout, int clock)
        {
            if (flags != 0 || count == 0 || count > WaitvMax) return -Errno.EINVAL;
            long deadline = 0;
            if (timeout != 0)
            {
                if (clock != SysTime.CLOCK_MONOTONIC && clock != SysTime.CLOCK_REALTIME) return -Errno.EINVAL;
                if (!UserMemory.Read(timeout, out SysTime.Timespec ts)) return -Errno.EFAULT;
                int bad = FutexTimeout.Check(ts.Seconds, ts.Nanoseconds);
                if (bad != 0) return -bad;
                long at = ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
                if (clock == SysTime.CLOCK_REALTIME) at -= (long)SysTime.BootRealtimeNs;
                deadline = at <= 0 ? 1 : at;
            }
            var entries = new WaitvEntry[count];
            long result = ReadWaitv(waiters, entries);
            if (result == 0) result = WaitOnAll(entries, deadline);
            KernelHeap.Free(entries);
            return result;
        }

        // The vector, checked as Linux's futex_parse_waitv: only 32-bit futexes
        // (FUTEX_32, optionally FUTEX_PRIVATE_FLAG), reserved zero, aligned user words.
        private static long ReadWaitv(ulong from, WaitvEntry[] entries)
        {
            fixed (WaitvEntry* e = entries)
                if (!UserMemory.CopyIn(e, from, (ulong)(entries.Length * sizeof(WaitvEntry)))) return -Errno.EFAULT;
            for (int i = 0; i < entries.Length; i++)
            {
                WaitvEntry e = entries[i];
                if ((e.Flags & ~(Futex2Size32 | Futex2Private)) != 0 || (e.Flags & 3) != Futex2Size32 || e.Reserved != 0)
                    return -Errno.EINVAL;
                int bad = FutexRequest.CheckWord(e.Address, Paging.UserEnd);
                if (bad != 0) return -bad;
                if ((e.Value >> 32) != 0) return -Errno.EINVAL;
            }
            return 0;
        }

        private static long WaitOnAll(WaitvEntry[] entries, long deadline)
        {
            Process p = Processes.Current;
            Thread self = Scheduler.Current;
            int n = entries.Length;
            var ws = new FutexWaiter[n];
            for (int i = 0; i < n; i++) ws[i] = new FutexWaiter();
            long result = 0;
            int queued = 0;
            var locked = p.LockSpace();   // held until every waiter is queued and pinned
            for (; queued < n; queued++)
            {
                int err = Locate(p, entries[queued].Address, (entries[queued].Flags & Futex2Private) != 0, forWait: true, forWrite: false, out Word word, out _);
                if (err != 0) { result = err; break; }
                int bucket = _table.BucketIndexOf(word.Key);
                ulong bucketFlags = _bucketLocks[bucket].AcquireIrqSave();
                if (Volatile(word.Pointer) != (uint)entries[queued].Value)
                {
                    _bucketLocks[bucket].ReleaseIrqRestore(bucketFlags);
                    result = -Errno.EAGAIN;
                    break;
                }
                FutexWaiter w = ws[queued];
                w.Prepare(word.Key, FutexOp.BitsetMatchAny, self);
                FutexPins.Take(KernelMemory.Frames, _design, w);
                _table.Enqueue(w);
                _bucketLocks[bucket].ReleaseIrqRestore(bucketFlags);
            }
            Process.UnlockSpace(locked);
            if (result == 0)
            {
                // A wake of any word dequeues its waiter under its bucket lock and
                // then needs the scheduler lock to wake the thread, which does
                // nothing to a thread not yet blocked: a wake that came while the
                // others were being queued shows as a dequeued waiter here.
                ulong flags = Cpu.SaveAndDisableInterrupts();
                Scheduler.LockNested();
                bool early = false;
                for (int i = 0; i < n && !early; i++) early = !ws[i].Queued;
                WakeReason reason;
                if (early) { Scheduler.UnlockNested(); Cpu.RestoreInterrupts(flags); reason = WakeReason.Woken; }
                else reason = Scheduler.BlockLocked((ulong)deadline, flags);
                int woken = -1;
                for (int i = 0; i < n; i++) if (!Leave(ws[i])) woken = i;   // the last one woken, as Linux
                if (woken >= 0) result = woken;
                else result = reason == WakeReason.TimedOut ? -Errno.ETIMEDOUT : -SyscallRestart.ERESTARTSYS;
            }
            else
            {
                int woken = -1;
                for (int i = 0; i < queued; i++) if (!Leave(ws[i])) woken = i;
                if (woken >= 0) result = woken;   // a wake came before the mismatch: Linux reports it
            }
            for (int i = 0; i < n; i++) KernelHeap.Free(ws[i]);
            KernelHeap.Free(ws);
            return result;
        }
    }
}
