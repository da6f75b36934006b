using Sticky.Debug;
using Sticky.Proc;

namespace Sticky.Sys
{
    // How the syscall trace prints one argument: flags by name, as strace does.
    public static unsafe class TraceFormat
    {
        // One letter per argument: d decimal, x hex, p pointer, s user string,
        // F futex op, P mmap prot, M mmap flags, C clone flags, W wait options,
        // A arch_prctl code, K clock id, S signal, T timespec pointer, a dirfd
        // (AT_FDCWD), o open flags, m a mode in octal.
        public static void Argument(char kind, ulong value, ulong secondArgument)
        {
            switch (kind)
            {
                case 'd': Console.Dec((long)value); break;
                case 'x': Console.Write("0x"); Console.Hex(value, 1); break;
                case 'p': Pointer(value); break;
                case 's': UserString(value); break;
                case 'T': Timespec(value); break;
                case 'F': FutexOp((int)value); break;
                case 'P': Flags(value, &ProtName, "PROT_NONE"); break;
                case 'M': MmapFlags(value); break;
                case 'C': CloneFlags(value); break;
                case 'W': Flags(value, &WaitName, "0"); break;
                case 'A': ArchPrctl((int)value); break;
                case 'K': Clock((int)value); break;
                case 'S': Signal((int)value); break;
                case 'a': if ((int)value == -100) Console.Write("AT_FDCWD"); else Console.Dec((int)value); break;
                case 'o': OpenFlags(value); break;
                case 'm': Console.Write("0"); Octal(value & 0xFFFF); break;
                default: Console.Write("?"); break;
            }
        }

        // futex's arguments depend on its command (the second argument).
        public static string FutexArguments(ulong op)
        {
            switch ((int)op & ~(128 | 256))
            {
                case 0: return "pFdT";          // WAIT: relative timeout
                case 1: return "pFd";           // WAKE
                case 3: return "pFddp";         // REQUEUE: nr_requeue travels in the timeout slot
                case 4: return "pFddpd";        // CMP_REQUEUE
                case 5: return "pFddpx";        // WAKE_OP
                case 9: return "pFdTpx";        // WAIT_BITSET: absolute deadline, bitset
                case 10: return "pFdppx";       // WAKE_BITSET
                default: return "pFxxxx";
            }
        }

        private static void Pointer(ulong value)
        {
            if (value == 0) { Console.Write("NULL"); return; }
            Console.Write("0x");
            Console.Hex(value, 1);
        }

        private static void UserString(ulong address)
        {
            byte* buffer = stackalloc byte[64];
            int n = UserMemory.ReadString(address, buffer, 64);
            if (n < 0 && n != -Errno.ENAMETOOLONG) { Pointer(address); return; }
            Console.Write("\"");
            Console.WriteBytes(buffer, n < 0 ? 63 : n);
            Console.Write(n < 0 ? "\"..." : "\"");
        }

        private static void Timespec(ulong address)
        {
            if (address == 0) { Console.Write("NULL"); return; }
            if (!UserMemory.Read(address, out SysTime.Timespec t)) { Pointer(address); return; }
            Console.Write("{");
            Console.Dec(t.Seconds);
            Console.Write(", ");
            Console.Dec(t.Nanoseconds);
            Console.Write("}");
        }

        private static void FutexOp(int op)
        {
            switch (op & ~(128 | 256))
            {
                case 0: Console.Write("FUTEX_WAIT"); break;
                case 1: Console.Write("FUTEX_WAKE"); break;
                case 3: Console.Write("FUTEX_REQUEUE"); break;
                case 4: Console.Write("FUTEX_CMP_REQUEUE"); break;
                case 5: Console.Write("FUTEX_WAKE_OP"); break;
                case 9: Console.Write("FUTEX_WAIT_BITSET"); break;
                case 10: Console.Write("FUTEX_WAKE_BITSET"); break;
                default: Console.Write("FUTEX_"); Console.Dec(op & ~(128 | 256)); break;
            }
            if ((op & 128) != 0) Console.Write("_PRIVATE");
            if ((op & 256) != 0) Console.Write("|FUTEX_CLOCK_REALTIME");
        }

        // Bit number -> flag name (null: unnamed). Switches, not arrays: the
        // runtime runs no static constructors (docs/runtime.md).
        private static string ProtName(int bit) => bit == 0 ? "PROT_READ" : bit == 1 ? "PROT_WRITE" : bit == 2 ? "PROT_EXEC" : null;
        private static string WaitName(int bit) => bit == 0 ? "WNOHANG" : bit == 1 ? "WUNTRACED" : bit == 3 ? "WCONTINUED" : null;

        private static string MmapName(int bit)
        {
            switch (bit)
            {
                case 0: return "MAP_SHARED";
                case 1: return "MAP_PRIVATE";
                case 4: return "MAP_FIXED";
                case 5: return "MAP_ANONYMOUS";
                case 8: return "MAP_GROWSDOWN";
                case 11: return "MAP_DENYWRITE";
                case 12: return "MAP_EXECUTABLE";
                case 13: return "MAP_LOCKED";
                case 14: return "MAP_NORESERVE";
                case 15: return "MAP_POPULATE";
                case 16: return "MAP_NONBLOCK";
                case 17: return "MAP_STACK";
                case 20: return "MAP_FIXED_NOREPLACE";
                default: return null;
            }
        }

        private static string CloneName(int bit)
        {
            switch (bit)
            {
                case 8: return "CLONE_VM";
                case 9: return "CLONE_FS";
                case 10: return "CLONE_FILES";
                case 11: return "CLONE_SIGHAND";
                case 12: return "CLONE_PIDFD";
                case 13: return "CLONE_PTRACE";
                case 14: return "CLONE_VFORK";
                case 15: return "CLONE_PARENT";
                case 16: return "CLONE_THREAD";
                case 17: return "CLONE_NEWNS";
                case 18: return "CLONE_SYSVSEM";
                case 19: return "CLONE_SETTLS";
                case 20: return "CLONE_PARENT_SETTID";
                case 21: return "CLONE_CHILD_CLEARTID";
                case 22: return "CLONE_DETACHED";
                case 23: return "CLONE_UNTRACED";
                case 24: return "CLONE_CHILD_SETTID";
                default: return null;
            }
        }

        // Names of the set bits ("A|B"), unknown bits in hex; `none` when zero.
        private static void Flags(ulong value, delegate*<int, string> nameOf, string none)
        {
            if (value == 0) { Console.Write(none); return; }
            bool first = true;
            for (int bit = 0; bit < 64; bit++)
            {
                string name = (value & (1UL << bit)) != 0 ? nameOf(bit) : null;
                if (name == null) continue;
                if (!first) Console.Write("|");
                Console.Write(name);
                value &= ~(1UL << bit);
                first = false;
            }
            if (value == 0) return;
            if (!first) Console.Write("|");
            Console.Write("0x");
            Console.Hex(value, 1);
        }

        private static string OpenName(int bit)
        {
            switch (bit)
            {
                case 6: return "O_CREAT";
                case 7: return "O_EXCL";
                case 8: return "O_NOCTTY";
                case 9: return "O_TRUNC";
                case 10: return "O_APPEND";
                case 11: return "O_NONBLOCK";
                case 16: return "O_DIRECTORY";
                case 17: return "O_NOFOLLOW";
                case 19: return "O_CLOEXEC";
                case 21: return "O_PATH";
                default: return null;
            }
        }

        // The access mode by name, then the flags.
        private static void OpenFlags(ulong value)
        {
            ulong mode = value & 3;
            Console.Write(mode == 0 ? "O_RDONLY" : mode == 1 ? "O_WRONLY" : mode == 2 ? "O_RDWR" : "O_ACCMODE");
            value &= ~3UL & 0xFFFFFFFF;
            if (value == 0) return;
            Console.Write("|");
            Flags(value, &OpenName, "0");
        }

        private static void Octal(ulong v)
        {
            byte* b = stackalloc byte[24];
            int n = 0;
            do { b[n++] = (byte)('0' + (v & 7)); v >>= 3; } while (v != 0);
            while (n > 0) Console.Put(b[--n]);
        }

        private static void MmapFlags(ulong value) => Flags(value, &MmapName, "0");

        private static void CloneFlags(ulong value)
        {
            Flags(value & ~0xFFUL, &CloneName, "0");
            if ((value & 0xFF) == 0) return;
            Console.Write("|");
            Signal((int)(value & 0xFF));
        }

        private static void ArchPrctl(int code)
        {
            if (code == 0x1002) Console.Write("ARCH_SET_FS");
            else if (code == 0x1003) Console.Write("ARCH_GET_FS");
            else { Console.Write("0x"); Console.Hex((ulong)code, 1); }
        }

        private static void Clock(int id)
        {
            switch (id)
            {
                case SysTime.CLOCK_REALTIME: Console.Write("CLOCK_REALTIME"); break;
                case SysTime.CLOCK_MONOTONIC: Console.Write("CLOCK_MONOTONIC"); break;
                case SysTime.CLOCK_MONOTONIC_RAW: Console.Write("CLOCK_MONOTONIC_RAW"); break;
                case SysTime.CLOCK_BOOTTIME: Console.Write("CLOCK_BOOTTIME"); break;
                default: Console.Dec(id); break;
            }
        }

        private static void Signal(int signal)
        {
            string name = Signals.Name(signal);
            if (name != null) Console.Write(name); else Console.Dec(signal);
        }
    }
}
