using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;

namespace Sticky.Io
{
    // A pipe: a 4 KiB ring between a reader and a writer end. Its state is
    // guarded by the scheduler lock, like the wait queues it blocks on, so a
    // reader's "empty? then sleep" cannot miss a writer's wakeup.
    public sealed unsafe class Pipe
    {
        public const int Capacity = 4096;

        private byte[] _ring = new byte[Capacity];
        private int _head, _count;
        private int _readers = 1, _writers = 1;
        private WaitQueue _readWait = new WaitQueue(), _writeWait = new WaitQueue();

        // Copies up to `max` buffered bytes to `into` (kernel memory), blocking
        // while the pipe is empty and a writer exists. 0 = end of file; -ERESTARTSYS if a signal or a kill interrupts it.
        public int Read(byte* into, int max)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (_count > 0 || _writers == 0)
                {
                    int n = _count < max ? _count : max;
                    for (int i = 0; i < n; i++) into[i] = _ring[(_head + i) % Capacity];
                    _head = (_head + n) % Capacity;
                    _count -= n;
                    Scheduler.WakeLocked(_writeWait, int.MaxValue);
                    PollWait.WakeLocked();
                    Scheduler.Unlock(flags);
                    return n;
                }
                if (Scheduler.WaitLocked(_readWait, 0, flags) == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
            }
        }

        // Appends all `count` bytes, blocking while full. -EPIPE without readers.
        // Up to Capacity bytes (PIPE_BUF) go in at once, never interleaved with
        // another writer's, as POSIX requires.
        public int Write(byte* from, int count)
        {
            int done = 0;
            bool atomic = count <= Capacity;
            while (done < count)
            {
                ulong flags = Scheduler.Lock();
                if (_readers == 0) { Scheduler.Unlock(flags); return done > 0 ? done : -Errno.EPIPE; }
                int room = Capacity - _count;
                if (room == 0 || (atomic && room < count))
                {
                    if (Scheduler.WaitLocked(_writeWait, 0, flags) == WakeReason.Interrupted) return done > 0 ? done : -SyscallRestart.ERESTARTSYS;
                    continue;
                }
                int n = count - done < room ? count - done : room;
                for (int i = 0; i < n; i++) _ring[(_head + _count + i) % Capacity] = from[done + i];
                _count += n;
                done += n;
                Scheduler.WakeLocked(_readWait, int.MaxValue);
                PollWait.WakeLocked();
                Scheduler.Unlock(flags);
            }
            return done;
        }

        // Lock held: poll(2)'s view of one end, as Linux's pipe_poll: the reader
        // is readable with data, hung up without writers; the writer is
        // writable with room, in error without readers.
        public int PollLocked(bool reader)
        {
            if (reader) return (_count > 0 ? PollWait.POLLIN : 0) | (_writers == 0 ? PollWait.POLLHUP : 0);
            return (_count < Capacity ? PollWait.POLLOUT : 0) | (_readers == 0 ? PollWait.POLLERR : 0);
        }

        public void CloseEnd(bool reader)
        {
            ulong flags = Scheduler.Lock();
            if (reader) _readers--; else _writers--;
            Scheduler.WakeLocked(_readWait, int.MaxValue);
            Scheduler.WakeLocked(_writeWait, int.MaxValue);
            PollWait.WakeLocked();
            bool dead = _readers == 0 && _writers == 0;
            Scheduler.Unlock(flags);
            if (!dead) return;
            KernelHeap.Free(_ring);
            KernelHeap.Free(_readWait);
            KernelHeap.Free(_writeWait);
            KernelHeap.Free(this);
        }
    }
}
