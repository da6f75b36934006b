using Sticky.Arch;
using Sticky.Drivers;
using Sticky.Proc;

namespace Sticky.Io
{
    // Bytes typed on the serial console, queued by the receive interrupt until
    // a process reads fd 0. Raw: no echo, no line editing. The kernel
    // monitor's key sequence is taken out first (debug/Monitor.cs).
    public static unsafe class ConsoleInput
    {
        private const int Capacity = 1024;
        private struct Ring { public fixed byte Bytes[Capacity]; }
        private static Ring _ring;
        private static int _head, _count;
        private static WaitQueue _readers;

        public static void Init()
        {
            _readers = new WaitQueue();
            Interrupts.Register(Interrupts.SerialIrq, &OnInterrupt);
            Serial.EnableReceiveInterrupt();
        }

        private static void OnInterrupt(TrapFrame* frame)
        {
            while (Serial.TryReadByte(out byte b))
            {
                int verdict = Sticky.Debug.Monitor.Filter(b);
                if (verdict == Sticky.Debug.Monitor.PassEscapeThenByte) Queue(Sticky.Debug.Monitor.Escape);
                if (verdict != Sticky.Debug.Monitor.Consume) Queue(b);
            }
        }

        private static void Queue(byte b)
        {
            ulong flags = Scheduler.Lock();
            if (_count < Capacity)
            {
                fixed (byte* r = _ring.Bytes) r[(_head + _count) % Capacity] = b;
                _count++;
            }
            Scheduler.WakeLocked(_readers, int.MaxValue);
            IoEvents.ChangedLocked();
            Scheduler.Unlock(flags);
        }

        // Scheduler lock held: is a read answered at once? (poll)
        public static bool ReadyLocked => _count > 0;

        // Blocks until at least one byte is queued; returns how many were copied,
        // -ERESTARTSYS (a signal), or -EAGAIN instead of blocking when `nonblock`.
        public static int Read(byte* into, int max, bool nonblock = false)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                if (_count > 0)
                {
                    int n = _count < max ? _count : max;
                    fixed (byte* r = _ring.Bytes)
                        for (int i = 0; i < n; i++) into[i] = r[(_head + i) % Capacity];
                    _head = (_head + n) % Capacity;
                    _count -= n;
                    Scheduler.Unlock(flags);
                    return n;
                }
                if (nonblock) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                if (Scheduler.WaitLocked(_readers, 0, flags) == WakeReason.Interrupted) return -Sticky.Signal.SyscallRestart.ERESTARTSYS;
            }
        }
    }
}
