using Sticky.Arch;
using Sticky.Debug;
using Sticky.Drivers;
using Sticky.Io;
using Sticky.Mm;
using Sticky.Proc;
using Sticky.Signal;
using Sticky.Sync;
using Sticky.Sys;
using Sticky.Time;

namespace Sticky.Tty
{
    // The terminal on the first serial port: what programs read (fd 0) and
    // write (fds 1, 2), through a line discipline (LineDiscipline.cs), with
    // the job control a shell needs: the session it is the controlling
    // terminal of, its foreground process group (which the signal keys
    // reach), and the ioctls that set them. Input arrives by the receive
    // interrupt; the kernel monitor's key (Ctrl-]) is taken out first
    // (Debug/Monitor.cs). When the input buffer is full the interrupt is
    // switched off, so bytes wait in the UART and QEMU holds the rest back.
    //
    // Locking: the line discipline's input side, the session and the
    // foreground group are guarded by the scheduler lock (readers block on a
    // wait queue under it, so no wakeup is lost); output order and the
    // output column by the console lock, taken inside it by echo: the kernel's
    // own lines share the port (unless console=ttyS1), and neither may cut
    // into the other's on another CPU.
    // Not implemented: SIGTTIN/SIGTTOU for background process groups (they
    // may read and write), hangup of a serial line, packet mode.
    public static unsafe class Terminal
    {
        private struct SerialPort : ITerminalDevice
        {
            public void Put(byte b) => Serial.WriteByte(Serial.Com1, b);
        }

        private const int TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TCSBRK = 0x5409,
            TCXONC = 0x540A, TCFLSH = 0x540B, TIOCSCTTY = 0x540E, TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410,
            TIOCOUTQ = 0x5411, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541B, TIOCNOTTY = 0x5422,
            TIOCGSID = 0x5429;
        private const int OutputChunk = 256;   // bytes written per hold of the output lock

        private static LineDiscipline _line;
        private static WaitQueue _readers;
        private static bool _receiveStopped;
        private static ulong _lastReceived;            // for VTIME's inter-byte timer
        private static int _session, _foreground;      // 0: none

        // Lock held: the session this is the controlling terminal of, and its
        // foreground group (0: none), for /proc/<pid>/stat's tty and tpgid.
        public static int SessionLocked => _session;
        public static int ForegroundLocked => _foreground;

        public static void Init()
        {
            _line = new LineDiscipline();
            _readers = new WaitQueue();
            Interrupts.Register(Interrupts.SerialIrq, &OnInterrupt);
            Serial.SetReceiveInterrupt(true);
        }

        // ---- input -------------------------------------------------------

        private static void OnInterrupt(TrapFrame* frame)
        {
            while (true)
            {
                ulong flags = Scheduler.Lock();
                bool room = _line.HasRoom;
                if (!room)
                {
                    Serial.SetReceiveInterrupt(false);   // a reader turns it back on
                    _receiveStopped = true;
                }
                Scheduler.Unlock(flags);
                if (!room || !Serial.TryReadByte(out byte b)) return;
                int verdict = Monitor.Filter(b);   // takes the scheduler lock itself
                if (verdict == Monitor.PassEscapeThenByte) Receive(Monitor.Escape);
                if (verdict != Monitor.Consume) Receive(b);
            }
        }

        private static void Receive(byte b)
        {
            var port = new SerialPort();
            ulong flags = Scheduler.Lock();
            ulong console = Console.Lock();
            int signal = _line.Receive(b, ref port);
            Console.Unlock(console);
            _lastReceived = Clock.NowNanoseconds;
            if (signal != 0) SendLocked(_session != 0 ? _foreground : 0, signal);
            Scheduler.WakeLocked(_readers, int.MaxValue);
            PollWait.WakeLocked();
            Scheduler.Unlock(flags);
        }

        // read(2) on the terminal: blocks as the settings say (a line in
        // canonical mode; VMIN bytes or VTIME's timers otherwise). Returns the
        // bytes copied into `into` (kernel memory), 0 at end of file, or
        // -ERESTARTSYS when a signal comes first (restarted or EINTR, docs/signals.md),
        // or -EAGAIN instead of blocking when `nonblock` (O_NONBLOCK).
        public static int Read(byte* into, int max, bool nonblock = false)
        {
            ulong start = Clock.NowNanoseconds;
            while (true)
            {
                ulong flags = Scheduler.Lock();
                ulong deadline = 0;
                if (Ready(max, start, ref deadline))
                {
                    int n = _line.Read(into, max);
                    ResumeReceiveLocked();
                    Scheduler.Unlock(flags);
                    return n;
                }
                if (nonblock) { Scheduler.Unlock(flags); return -Errno.EAGAIN; }
                if (Scheduler.WaitLocked(_readers, deadline, flags) == WakeReason.Interrupted) return -SyscallRestart.ERESTARTSYS;
            }
        }

        // Lock held: may a read of `max` bytes that began at `start` return
        // now? If not, `deadline` is when it may (0: when input comes).
        private static bool Ready(int max, ulong start, ref ulong deadline)
        {
            if (_line.Canonical) return _line.HasInput;
            int min = _line.Settings.Char(Termios.VMIN), time = _line.Settings.Char(Termios.VTIME);
            ulong tenths = (ulong)time * 100_000_000UL;
            int available = _line.Readable;
            if (min == 0)
            {
                // A read with a timeout (or none: polling): whatever came by then, maybe nothing.
                if (available > 0 || time == 0) return true;
                deadline = start + tenths;
                return Clock.NowNanoseconds >= deadline;
            }
            if (available >= (min < max ? min : max)) return true;
            if (time == 0 || available == 0) return false;
            // VTIME with VMIN: an inter-byte timer, started by the first byte.
            deadline = _lastReceived + tenths;
            return Clock.NowNanoseconds >= deadline;
        }

        // Lock held: a read made room, so the UART may deliver again.
        private static void ResumeReceiveLocked()
        {
            if (!_receiveStopped || !_line.HasRoom) return;
            _receiveStopped = false;
            Serial.SetReceiveInterrupt(true);   // raises the interrupt again if bytes are waiting
        }

        // Lock held: poll(2)'s view. Readable as a read would not block
        // (Linux's n_tty_poll: in raw mode with VTIME 0, VMIN bytes); always
        // writable, as output never waits.
        public static int PollLocked()
        {
            int ready = PollWait.POLLOUT;
            if (_line.Canonical ? _line.HasInput : _line.Readable >= RawPollMinimum()) ready |= PollWait.POLLIN;
            return ready;
        }

        private static int RawPollMinimum()
        {
            int min = _line.Settings.Char(Termios.VMIN), time = _line.Settings.Char(Termios.VTIME);
            return time == 0 && min > 0 ? min : 1;
        }

        // ---- output ------------------------------------------------------

        public static int Write(byte* bytes, int n)
        {
            var port = new SerialPort();
            for (int done = 0; done < n; done += OutputChunk)
            {
                ulong flags = Console.Lock();
                _line.Write(bytes + done, n - done < OutputChunk ? n - done : OutputChunk, ref port);
                Console.Unlock(flags);
            }
            return n;
        }

        // ---- sessions ----------------------------------------------------

        // A session leader is exiting (Processes.Teardown): if this is its
        // controlling terminal, the terminal is free again and its foreground
        // group gets SIGHUP, as on Linux.
        public static void SessionLeaderExiting(Process leader)
        {
            ulong flags = Scheduler.Lock();
            if (_session != 0 && _session == leader.Sid)
            {
                int group = _foreground;
                _session = _foreground = 0;
                SendLocked(group, Signals.SIGHUP);
            }
            Scheduler.Unlock(flags);
        }

        // Lock held: a signal from the terminal to a process group, from the
        // kernel as Linux's tty layer sends it (SI_KERNEL).
        private static void SendLocked(int group, int signal) =>
            Processes.SendGroupLocked(group, SigInfo.FromProcess(signal, SigInfo.SI_KERNEL, 0));

        // ---- ioctl -------------------------------------------------------

        public static long Ioctl(ulong request, ulong argument)
        {
            switch ((int)request)
            {
                case TCGETS:
                {
                    Termios t = _line.Settings;
                    return UserMemory.CopyOut(argument, &t, Termios.Size) ? 0 : -Errno.EFAULT;
                }
                case TCSETS: case TCSETSW: case TCSETSF:
                {
                    Termios t;
                    if (!UserMemory.CopyIn(&t, argument, Termios.Size)) return -Errno.EFAULT;
                    ulong flags = Scheduler.Lock();
                    _line.Set(t, flush: request == TCSETSF);   // output is never pending: W's drain is done
                    Scheduler.WakeLocked(_readers, int.MaxValue);   // a reader's condition may have changed
                    PollWait.WakeLocked();
                    ResumeReceiveLocked();
                    Scheduler.Unlock(flags);
                    return 0;
                }
                case TCSBRK: return 0;                 // tcdrain: the serial port has sent everything
                case TCXONC: return argument <= 3 ? 0 : -Errno.EINVAL;
                case TCFLSH:
                {
                    if (argument > 2) return -Errno.EINVAL;
                    if (argument == 1) return 0;       // TCOFLUSH: nothing is queued
                    ulong flags = Scheduler.Lock();
                    _line.Flush();
                    ResumeReceiveLocked();
                    Scheduler.Unlock(flags);
                    return 0;
                }
                case TIOCGWINSZ:
                {
                    WindowSize w = _line.Size;
                    return UserMemory.CopyOut(argument, &w, 8) ? 0 : -Errno.EFAULT;
                }
                case TIOCSWINSZ:
                {
                    WindowSize w;
                    if (!UserMemory.CopyIn(&w, argument, 8)) return -Errno.EFAULT;
                    _line.Size = w;   // SIGWINCH would go to the foreground group: ignored by default
                    return 0;
                }
                case FIONREAD: return UserMemory.Write(argument, _line.Readable) ? 0 : -Errno.EFAULT;
                case TIOCOUTQ: return UserMemory.Write(argument, 0) ? 0 : -Errno.EFAULT;
                case TIOCSCTTY: return TakeAsControlling(argument == 1);
                case TIOCNOTTY: return GiveUp();
                case TIOCGPGRP: return ReportId(foreground: true, argument);
                case TIOCGSID: return ReportId(foreground: false, argument);
                case TIOCSPGRP: return SetForeground(argument);
                default: return -Errno.ENOTTY;
            }
        }

        // TIOCSCTTY: a session leader without a terminal makes this its
        // controlling terminal, its group the foreground. Another session's
        // terminal only with `steal` (everyone is root here).
        private static long TakeAsControlling(bool steal)
        {
            Process self = Processes.Current;
            ulong flags = Scheduler.Lock();
            long result = 0;
            if (_session == self.Sid && _session != 0) { }
            else if (self.Sid != self.Pid) result = -Errno.EPERM;
            else if (_session != 0 && !steal) result = -Errno.EPERM;
            else
            {
                _session = self.Sid;
                _foreground = self.Pgid;
            }
            Scheduler.Unlock(flags);
            return result;
        }

        // TIOCNOTTY: the session leader lets its terminal go (its foreground
        // group gets SIGHUP and SIGCONT); anyone else of the session just
        // succeeds (a process's own link to the terminal is its session's).
        private static long GiveUp()
        {
            Process self = Processes.Current;
            ulong flags = Scheduler.Lock();
            long result = 0;
            if (_session == 0 || _session != self.Sid) result = -Errno.ENOTTY;
            else if (self.Sid == self.Pid)
            {
                int group = _foreground;
                _session = _foreground = 0;
                SendLocked(group, Signals.SIGHUP);
                SendLocked(group, Signals.SIGCONT);
            }
            Scheduler.Unlock(flags);
            return result;
        }

        // TIOCGPGRP, TIOCGSID: only for a process whose controlling terminal this is.
        private static long ReportId(bool foreground, ulong argument)
        {
            Process self = Processes.Current;
            ulong flags = Scheduler.Lock();
            bool mine = _session != 0 && _session == self.Sid;
            int id = foreground ? _foreground : _session;
            Scheduler.Unlock(flags);
            if (!mine) return -Errno.ENOTTY;
            return UserMemory.Write(argument, id) ? 0 : -Errno.EFAULT;
        }

        public static bool IsControllingTerminalOfCaller() => ControlsCaller();

        private static bool ControlsCaller()
        {
            ulong flags = Scheduler.Lock();
            bool mine = _session != 0 && _session == Processes.Current.Sid;
            Scheduler.Unlock(flags);
            return mine;
        }

        // TIOCSPGRP: a process group of the caller's session becomes the foreground.
        private static long SetForeground(ulong argument)
        {
            Process self = Processes.Current;
            if (!ControlsCaller()) return -Errno.ENOTTY;   // checked first, as Linux
            if (!UserMemory.Read(argument, out int group)) return -Errno.EFAULT;
            if (group < 0) return -Errno.EINVAL;
            ulong flags = Scheduler.Lock();
            long result = 0;
            if (_session == 0 || _session != self.Sid) result = -Errno.ENOTTY;
            else if (!Processes.GroupInSessionLocked(group, self.Sid))
                result = Processes.GroupExistsLocked(group) || Processes.FindLocked(group) != null ? -Errno.EPERM : -Errno.ESRCH;
            else _foreground = group;
            Scheduler.Unlock(flags);
            return result;
        }
    }
}
