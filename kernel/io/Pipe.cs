using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;

namespace Sticky.Io
{
    // A pipe: a 4 KiB ring between a reader and a writer end. Its state is
    // guarded by the scheduler lock, like the wait queues it blocks on, so a
    // reader's "empty? then sleep" cannot miss a writer's wakeup. A socket
    // pair is two pipes, crosswise; a datagram socket's pipe keeps records
    // (each write one message, each read at most one, the rest of it dropped).
    public sealed unsafe class Pipe
    {
        public const int Capacity = 4096;
        private const int RecordHeader = 2;
        public const int MaxRecord = Capacity - RecordHeader;

        private byte[] _ring = new byte[Capacity];
        private int _head, _count;
        private int _readers = 1, _writers = 1;
        private int _holders = 2;   // the files that point here (a shut end still points here)
        private WaitQueue _readWait = new WaitQueue(), _writeWait = new WaitQueue();
        public bool Records;

        // Copies up to `max` buffered bytes to `into` (kernel memory), blocking
        // while the pipe is empty and a writer exists. 0 = end of file;
        // -ERESTARTSYS if a signal or a kill interrupts it; -EAGAIN instead of blocking when `nonblock`.
        public int Read(byte* into, int max, bool nonblock = false)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (_count > 0 || _writers == 0)
                {
                    int n = Records ? TakeRecord(into, max) : Take(into, max);
                    Scheduler.WakeLocked(_writeWait, int.MaxValue);
                    PollWait.WakeLocked();
                    Scheduler.Unlock(flags);
                    return n;
                }
                if (nonblock) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                if (Scheduler.WaitLocked(_readWait, 0, flags) == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
            }
        }

        private int Take(byte* into, int max)
        {
            int n = _count < max ? _count : max;
            for (int i = 0; i < n; i++) into[i] = _ring[(_head + i) % Capacity];
            _head = (_head + n) % Capacity;
            _count -= n;
            return n;
        }

        private int TakeRecord(byte* into, int max)
        {
            if (_count == 0) return 0;
            byte* header = stackalloc byte[RecordHeader];
            Take(header, RecordHeader);
            int length = header[0] | header[1] << 8;
            int n = Take(into, length < max ? length : max);
            _head = (_head + (length - n)) % Capacity;   // the rest of the message is dropped
            _count -= length - n;
            return n;
        }

        // Appends all `count` bytes, blocking while full. -EPIPE without readers.
        // Up to Capacity bytes (PIPE_BUF) go in at once, never interleaved with
        // another writer's, as POSIX requires. `nonblock`: what fits now (all of
        // an atomic write or nothing), else -EAGAIN.
        public int Write(byte* from, int count, bool nonblock = false)
        {
            if (Records) return WriteRecord(from, count, nonblock);
            int done = 0;
            bool atomic = count <= Capacity;
            while (done < count)
            {
                ulong flags = Scheduler.Lock();
                if (_readers == 0) { Scheduler.Unlock(flags); return done > 0 ? done : -Errno.EPIPE; }
                int room = Capacity - _count;
                if (room == 0 || (atomic && room < count))
                {
                    if (nonblock) { Scheduler.Unlock(flags); return done > 0 ? done : -Errno.EAGAIN; }
                    if (Scheduler.WaitLocked(_writeWait, 0, flags) == WakeReason.Interrupted) return done > 0 ? done : -SyscallRestart.ERESTARTSYS;
                    continue;
                }
                int n = count - done < room ? count - done : room;
                Put(from + done, n);
                done += n;
                Scheduler.WakeLocked(_readWait, int.MaxValue);
                PollWait.WakeLocked();
                Scheduler.Unlock(flags);
            }
            return done;
        }

        private void Put(byte* from, int n)
        {
            for (int i = 0; i < n; i++) _ring[(_head + _count + i) % Capacity] = from[i];
            _count += n;
        }

        private int WriteRecord(byte* from, int count, bool nonblock)
        {
            if (count > MaxRecord) return -Errno.EMSGSIZE;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (_readers == 0) { Scheduler.Unlock(flags); return -Errno.EPIPE; }
                if (Capacity - _count < count + RecordHeader)
                {
                    if (nonblock) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                    if (Scheduler.WaitLocked(_writeWait, 0, flags) == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
                    continue;
                }
                byte* header = stackalloc byte[RecordHeader];
                header[0] = (byte)count; header[1] = (byte)(count >> 8);
                Put(header, RecordHeader);
                Put(from, count);
                Scheduler.WakeLocked(_readWait, int.MaxValue);
                PollWait.WakeLocked();
                Scheduler.Unlock(flags);
                return count;
            }
        }

        // Scheduler lock held: poll(2)'s view of one end, as Linux's pipe_poll:
        // the reader is readable with data, hung up without writers; the
        // writer is writable with room (for a record, its header and a byte),
        // in error without readers.
        public int PollLocked(bool reader)
        {
            if (reader) return (_count > 0 ? PollWait.Readable : 0) | (_writers == 0 ? PollWait.POLLHUP : 0);
            int room = Capacity - _count;
            return (room >= (Records ? RecordHeader + 1 : 1) ? PollWait.Writable : 0) | (_readers == 0 ? PollWait.POLLERR : 0);
        }

        // Bytes a read would get now (FIONREAD).
        public int Buffered
        {
            get
            {
                ulong flags = Scheduler.Lock();
                int n = _count;
                Scheduler.Unlock(flags);
                return n;
            }
        }

        public void CloseEnd(bool reader)
        {
            ulong flags = Scheduler.Lock();
            if (reader) _readers--; else _writers--;
            Scheduler.WakeLocked(_readWait, int.MaxValue);
            Scheduler.WakeLocked(_writeWait, int.MaxValue);
            PollWait.WakeLocked();
            Scheduler.Unlock(flags);
        }

        // One of the two files pointing here lets go; the second frees the pipe.
        public void Drop()
        {
            ulong flags = Scheduler.Lock();
            bool dead = --_holders == 0;
            Scheduler.Unlock(flags);
            if (!dead) return;
            KernelHeap.Free(_ring);
            KernelHeap.Free(_readWait);
            KernelHeap.Free(_writeWait);
            KernelHeap.Free(this);
        }
    }
}
