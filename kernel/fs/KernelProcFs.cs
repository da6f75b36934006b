using Sticky.Io;
using Sticky.Proc;

namespace Sticky.Fs
{
    // What /proc's tree (ProcTree.cs) asks about processes, from the process
    // table. Called with the file-system lock held; takes the scheduler lock
    // inside it (the order is file-system lock, scheduler lock, then a file
    // table's lock: docs/locking.md), and never takes a reference to a file
    // (its release could end it, which takes the file-system lock again).
    //
    // Another process's files, working directory and executable's path are
    // read under the scheduler lock: its teardown detaches Files and Cwd,
    // and exec swaps ExePath, under that lock before letting the old ones go.
    public static unsafe class KernelProcFs
    {
        public static void Init()
        {
            ProcTree.Facts = new ProcFacts
            {
                CurrentPid = &CurrentPid,
                NextPid = &NextPid,
                NextFd = &NextFd,
                Target = &Target,
                Owner = &Owner,
            };
        }

        private static int CurrentPid() => Processes.Current.Pid;

        private static int NextPid(int from)
        {
            int best = 0;
            ulong flags = Scheduler.Lock();
            for (Process p = Processes.First; p != null; p = p.NextInTable)
                if (p.Pid >= from && (best == 0 || p.Pid < best)) best = p.Pid;
            Scheduler.Unlock(flags);
            return best;
        }

        private static int NextFd(int pid, int from)
        {
            ulong flags = Scheduler.Lock();
            Process p = Processes.FindLocked(pid);
            int fd = p != null && p.Files != null ? p.Files.NextOpen(from) : -1;
            Scheduler.Unlock(flags);
            return fd;
        }

        private static uint Owner(int pid)
        {
            ulong flags = Scheduler.Lock();
            Process p = Processes.FindLocked(pid);
            uint uid = p != null ? (uint)p.Creds.Euid : 0;
            Scheduler.Unlock(flags);
            return uid;
        }

        private static int Target(int pid, ProcNode node, int fd, byte* into)
        {
            ulong flags = Scheduler.Lock();
            Process p = Processes.FindLocked(pid);
            int n = -1;
            if (p != null && p.State == ProcessState.Alive)
            {
                if (node == ProcNode.Exe && p.ExePath != null) n = Copy(p.ExePath, into);
                else if (node == ProcNode.Cwd && p.Cwd != null) n = PathWalk.PathOf(p.Cwd, into, PathWalk.PathMax);
                else if (node == ProcNode.Fd && p.Files != null) n = p.Files.Describe(fd, &Describe, into);
            }
            Scheduler.Unlock(flags);
            return n;
        }

        private static int Copy(byte[] from, byte* into)
        {
            int n = from.Length < PathWalk.PathMax ? from.Length : PathWalk.PathMax - 1;
            for (int i = 0; i < n; i++) into[i] = from[i];
            return n;
        }

        // What readlink of /proc/<pid>/fd/<n> says, as Linux: a path for files
        // of the tree (with " (deleted)" once unlinked), pipe:[ino],
        // socket:[ino], anon_inode:[eventfd], /dev/console for the terminal
        // init hands down. File-table lock held.
        private static int Describe(File f, byte* into)
        {
            switch (f.Kind)
            {
                case FileKind.PipeReader: case FileKind.PipeWriter: return Bracketed("pipe:[", f.PseudoInode, into);
                case FileKind.Socket: return Bracketed("socket:[", f.PseudoInode, into);
                case FileKind.EventFd: return Text("anon_inode:[eventfd]", into, 0);
                case FileKind.KernelConsole: return Text("/dev/console", into, 0);
                case FileKind.Console:
                    if (f.Inode == null) return Text("/dev/console", into, 0);
                    return PathWalk.FindPath(Vfs.Root, f.Inode, into, PathWalk.PathMax);
                default:
                    int n = PathWalk.FindPath(Vfs.Root, f.Inode, into, PathWalk.PathMax);
                    if (n >= 0 || f.Inode.Name == null) return n;
                    // Unlinked: its last name, as Linux keeps the dentry's.
                    n = Copy(f.Inode.Name, into);
                    return n + 11 < PathWalk.PathMax ? Text(" (deleted)", into, n) : n;
            }
        }

        private static int Text(string s, byte* into, int at)
        {
            for (int i = 0; i < s.Length; i++) into[at + i] = (byte)s[i];
            return at + s.Length;
        }

        private static int Bracketed(string prefix, ulong number, byte* into)
        {
            int n = Text(prefix, into, 0);
            n += ProcTree.Digits((long)number, into + n);
            into[n++] = (byte)']';
            return n;
        }
    }
}
