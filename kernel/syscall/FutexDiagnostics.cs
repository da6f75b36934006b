using Sticky.Arch;
using Sticky.Debug;
using Sticky.Futex;
using Sticky.Lib;
using Sticky.Mm;
using Sticky.Proc;

namespace Sticky.Sys
{
    // What the kernel monitor and the futex trace log print.
    public static unsafe partial class Futexes
    {
        // ---- diagnostics ----------------------------------------------------

        // futex: <what> pid=.. tid=.. uaddr=0x... key=phys(...) <name>=N   (log=futex:trace)
        private static void LogKey(string what, ulong address, in FutexKey key, string name, int n)
        {
            Log.Begin(Subsystem.Futex, Level.Trace);
            Console.Write(what);
            Log.Value("pid", Processes.Current.Pid);
            Log.Value("tid", Scheduler.Current.Id);
            Log.Hex("uaddr", address);
            Console.Write(" key=");
            WriteKey(key);
            Log.Value(name, n);
            Log.End();
        }

        // futex: fork pid=3 child=6 uaddr=0x... parent-frame=0x... child-frame=0x...   (log=futex:trace)
        // After a fork, for each waiter of the parent: the frame its word is on
        // in the parent and in the child. The same frame: shared copy-on-write;
        // two: the child got a copy (the sticky design's pinned pages).
        public static void LogFork(Process parent, Process child)
        {
            var locked = parent.LockSpace();   // the space lock sleeps: before any bucket lock
            if (locked == null) return;
            for (int b = 0; b < _table.BucketCount; b++)
            {
                ulong flags = _bucketLocks[b].AcquireIrqSave();
                for (FutexWaiter w = _table.FirstIn(b); w != null; w = w.NextInBucket)
                {
                    Thread t = (Thread)w.Owner;
                    if (t.Process != parent || t.FutexWord == 0) continue;
                    VirtualAddress page = new VirtualAddress(t.FutexWord).PageBase;
                    parent.Space.Table.GetEntry(page, out PageTableEntry mine);
                    child.Space.Table.GetEntry(page, out PageTableEntry theirs);
                    Log.Begin(Subsystem.Futex, Level.Trace);
                    Console.Write("fork");
                    Log.Value("pid", parent.Pid);
                    Log.Value("child", child.Pid);
                    Log.Hex("uaddr", t.FutexWord);
                    Log.Hex("parent-frame", mine.IsPresent ? mine.Frame.Address.Value : 0);
                    Log.Hex("child-frame", theirs.IsPresent ? theirs.Frame.Address.Value : 0);
                    Log.End();
                }
                _bucketLocks[b].ReleaseIrqRestore(flags);
            }
            Process.UnlockSpace(locked);
        }

        // For the kernel monitor: every queued waiter with its key and pin.
        public static void Dump()
        {
            int total = 0;
            for (int b = 0; b < _table.BucketCount; b++)
            {
                ulong flags = _bucketLocks[b].AcquireIrqSave();
                for (FutexWaiter w = _table.FirstIn(b); w != null; w = w.NextInBucket)
                {
                    total++;
                    Thread t = (Thread)w.Owner;
                    Console.Write("  futex waiter tid ");
                    Console.Dec(t.Id);
                    Console.Write(" pid ");
                    Console.Dec(t.Process != null ? t.Process.Pid : 0);
                    Console.Write(" uaddr ");
                    Console.Address(t.FutexWord);
                    Console.Write(" key ");
                    WriteKey(w.Key);
                    if (w.Pin == FutexPinState.Pinned)
                    {
                        Console.Write(" pinned frame ");
                        Console.Address(w.PinnedFrame.Address.Value);
                    }
                    Console.WriteLine();
                }
                _bucketLocks[b].ReleaseIrqRestore(flags);
            }
            Console.Write("  futex waiters: ");
            Console.Dec(total);
            Console.Write(" (design ");
            Console.Write(FutexDesigns.Name(_design));
            Console.WriteLine(")");
        }

        public static void WriteKey(in FutexKey k)
        {
            switch (k.Kind)
            {
                case FutexKeyKind.PrivatePhysical: Console.Write("phys(frame "); Console.Address(k.Word1 << Paging.PageShift); break;
                case FutexKeyKind.PrivateVirtual: Console.Write("virt(space "); Console.Dec((long)k.Word1); Console.Write(", page "); Console.Address(k.Word2); break;
                case FutexKeyKind.Shared: Console.Write("shared(object "); Console.Dec((long)k.Word1); Console.Write(", page "); Console.Dec((long)k.Word2); break;
                default: Console.Write("none("); break;
            }
            Console.Write(" +0x");
            Console.Hex(k.Offset, 3);
            Console.Write(k.PlainOp ? ", plain op)" : ")");
        }
    }
}
