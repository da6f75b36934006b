using Sticky.Fs;
using Sticky.Mm;

namespace Sticky.Io
{
    // Reads and writes of files of the tree (FileKind.Inode), a kernel buffer
    // at a time, under the file-system lock: regular files of the initramfs
    // and of RAM file systems, and the devices (/dev/null, zero, full, random).
    // `offset` < 0: at the file position, which moves (O_APPEND: writes go to the end).
    public static unsafe class FileIo
    {
        public static int Read(File f, byte* into, int count, long offset)
        {
            Inode inode = f.Inode;
            if (inode.IsDirectory) return -Errno.EISDIR;
            if (inode is DeviceNode device) return ReadDevice(device.Device, into, count);
            if (inode is ProcFile proc) return ReadProc(f, proc, into, count, offset);
            ulong flags = Vfs.Lock();
            ulong at = offset < 0 ? f.Offset : (ulong)offset;
            int n = 0;
            if (inode is RamFile ram) n = FileData.Read(default(DirectMap), ram, at, into, count);
            else if (inode is ImageFile image && at < image.Length)
            {
                ulong left = image.Length - at;
                n = left < (ulong)count ? (int)left : count;
                for (int i = 0; i < n; i++) into[i] = image.Data[at + (ulong)i];
            }
            if (offset < 0) f.Offset = at + (ulong)n;
            Vfs.Unlock(flags);
            return n;
        }

        public static int Write(File f, byte* from, int count, long offset)
        {
            Inode inode = f.Inode;
            if (inode is DeviceNode device) return device.Device == DeviceKind.Full ? -Errno.ENOSPC : count;
            if (!(inode is RamFile ram)) return -Errno.EINVAL;   // opened for writing: only RAM files and devices can be
            ulong flags = Vfs.Lock();
            // O_APPEND: at the end, even for pwrite64 (Linux's documented behaviour).
            ulong at = (f.Flags & File.O_APPEND) != 0 ? ram.Length : offset >= 0 ? (ulong)offset : f.Offset;
            int n = FileData.Write(default(DirectMap), ram, at, from, count);
            if (n > 0 && offset < 0) f.Offset = at + (ulong)n;
            Vfs.Unlock(flags);
            return n;
        }

        // A /proc or /sys file reads the text made when a read began at
        // offset 0 (or at its first read), as Linux's seq_file: reading on
        // goes through one consistent text; seeking back to 0 reads the state
        // anew. The text is made outside every lock but the ones it takes
        // itself (ProcText.Make); ESRCH once its process is gone.
        private static int ReadProc(File f, ProcFile inode, byte* into, int count, long offset)
        {
            ulong at = offset < 0 ? f.Offset : (ulong)offset;
            TextBuffer fresh = null;
            if (at == 0 || f.Text == null)
            {
                fresh = Sticky.Proc.ProcText.Make(inode);
                if (fresh == null) return -Errno.ESRCH;
            }
            ulong flags = Vfs.Lock();
            TextBuffer old = null;
            if (fresh != null) { old = f.Text; f.Text = fresh; }
            if (offset < 0) at = f.Offset;
            TextBuffer text = f.Text;
            int start = at >= (ulong)text.Length ? text.Length : (int)at;
            int n = count < text.Length - start ? count : text.Length - start;
            for (int i = 0; i < n; i++) into[i] = text.Bytes[start + i];
            if (offset < 0) f.Offset = at + (ulong)n;
            Vfs.Unlock(flags);
            old?.Release();
            return n;
        }

        private static int ReadDevice(DeviceKind device, byte* into, int count)
        {
            switch (device)
            {
                case DeviceKind.Null: return 0;
                case DeviceKind.Random: Entropy.Fill(into, count); return count;
                default: for (int i = 0; i < count; i++) into[i] = 0; return count;   // zero, full
            }
        }
    }
}
