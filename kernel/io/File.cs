using Sticky.Mm;

namespace Sticky.Io
{
    public enum FileKind { Console, PipeReader, PipeWriter }

    // An open file description, shared by every fd (and every forked process)
    // that refers to it. Only what the guest programs need exists: the serial
    // console and pipes.
    public sealed class File
    {
        public FileKind Kind;
        public Pipe Pipe;
        public int RefCount = 1;

        public bool CanRead => Kind != FileKind.PipeWriter;
        public bool CanWrite => Kind != FileKind.PipeReader;

        public void AddRef() => RefCount++;

        public void Release()
        {
            if (--RefCount > 0) return;
            if (Kind == FileKind.PipeReader) Pipe.CloseEnd(reader: true);
            if (Kind == FileKind.PipeWriter) Pipe.CloseEnd(reader: false);
            KernelHeap.Free(this);
        }
    }
}
