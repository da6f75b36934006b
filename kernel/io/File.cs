using Sticky.Arch;
using Sticky.Mm;

namespace Sticky.Io
{
    // Console: the terminal (tty/KernelTerminal.cs); KernelConsole: where the
    // kernel's own messages go (write-only; init reports there).
    public enum FileKind { Console, PipeReader, PipeWriter, KernelConsole }

    // An open file description, shared by every fd (and every forked process)
    // that refers to it, and by every syscall using it right now: a read
    // blocked on a pipe holds a reference, so a close() from another thread
    // cannot free the file under it. Only what the guest programs need exists:
    // the terminal, the kernel's console and pipes.
    public sealed unsafe class File
    {
        public FileKind Kind;
        public Pipe Pipe;
        private int _refCount = 1;

        public bool CanRead => Kind != FileKind.PipeWriter && Kind != FileKind.KernelConsole;
        public bool CanWrite => Kind != FileKind.PipeReader;

        public void AddRef()
        {
            fixed (int* r = &_refCount) Atomic.Add(r, 1);
        }

        // Drops one reference; the last closes the pipe end and frees the file.
        public void Release()
        {
            int left;
            fixed (int* r = &_refCount) left = Atomic.Add(r, -1);   // the new count
            if (left > 0) return;
            if (Kind == FileKind.PipeReader) Pipe.CloseEnd(reader: true);
            if (Kind == FileKind.PipeWriter) Pipe.CloseEnd(reader: false);
            KernelHeap.Free(this);
        }
    }
}
