using Sticky.Arch;
using Sticky.Debug;

namespace Sticky.Sys
{
    public enum SyscallTraits : byte
    {
        None = 0,
        TraceFirst = 1,       // may not return (exit, execve): the trace prints the call before it runs
        ReturnsAddress = 2,   // the trace prints the result in hex (mmap, brk)
    }

    // One system call: what runs, what it is called, how the trace prints it.
    public unsafe struct Syscall
    {
        public delegate*<TrapFrame*, long> Handler;   // null: not implemented (ENOSYS)
        public string Name;                            // null: Linux's name, from LinuxSyscallNames
        public string Arguments;                       // the trace's kind per argument (TraceFormat.Argument)
        public delegate*<ulong, string> ArgumentsOf;   // instead, kinds chosen by the second argument (futex's op)
        public SyscallTraits Traits;
    }

    // Every system call stickyos implements, in one list (SyscallRows.cs):
    // number, name, handler, argument kinds for the trace. Dispatch, the
    // ENOSYS warning, the trace and docs/syscalls.md (tools/syscall-docs) all
    // read it. Built at boot: the runtime runs no static constructors.
    public static unsafe partial class SyscallTable
    {
        // Numbers at or above this have no row (and share one ENOSYS report).
        public const int Capacity = 1024;

        private static Syscall[] _rows;

        public static void Init()
        {
            _rows = new Syscall[Capacity];
            AddRows();
        }

        // The row for `nr`, or null for a number nothing is known about.
        public static Syscall* Find(ulong nr)
        {
            if (nr >= Capacity) return null;
            fixed (Syscall* row = &_rows[(int)nr]) return row;
        }

        public static delegate*<TrapFrame*, long> HandlerOf(ulong nr) => nr < Capacity ? _rows[(int)nr].Handler : null;

        public static bool HasName(ulong nr)
        {
            Syscall* row = Find(nr);
            return (row != null && row->Name != null) || LinuxSyscallNames.Find(nr, out _, out _, out _);
        }

        // Writes the call's name (stickyos's row, else Linux's); false if it has none.
        public static bool WriteName(ulong nr)
        {
            Syscall* row = Find(nr);
            if (row != null && row->Name != null) { Console.Write(row->Name); return true; }
            if (!LinuxSyscallNames.Find(nr, out string names, out int start, out int length)) return false;
            for (int i = 0; i < length; i++) Console.Put((byte)names[start + i]);
            return true;
        }

        private static void Row(int nr, string name, delegate*<TrapFrame*, long> handler, string arguments,
                                SyscallTraits traits = SyscallTraits.None)
        {
            if (_rows[nr].Handler != null) Panic.Halt("syscall table: a number has two rows");
            _rows[nr].Handler = handler;
            _rows[nr].Name = name;
            _rows[nr].Arguments = arguments;
            _rows[nr].Traits = traits;
        }

        private static void Row(int nr, string name, delegate*<TrapFrame*, long> handler, delegate*<ulong, string> argumentsOf)
        {
            Row(nr, name, handler, (string)null);
            _rows[nr].ArgumentsOf = argumentsOf;
        }
    }
}
