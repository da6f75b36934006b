using Sticky.Arch;
using Sticky.Debug;
using Sticky.Exec;
using Sticky.Fs;
using Sticky.Io;
using Sticky.Platform;

namespace Sticky.Proc
{
    // pid 1: /init from the initramfs. Its arguments: the programs named by
    // the command line's `run=a,b,c`, then the strings of the initramfs file
    // /init.args (the command line is short; tools/run-guest writes the
    // file); its environment: the strings of /init.env, then HOME, PATH
    // (the programs at the root, busybox's applets in /bin) and TERM
    // unless that file sets them. (Both files: NUL-terminated strings back
    // to back; kernel/user/init.c says what the arguments mean.) Its files:
    // 0, 1 and 2 on the terminal, 3 on the kernel's console, where its
    // report goes. Its exit powers the machine off (Processes.Teardown), with
    // an exit code that says whether all went well. Created first (it gets
    // pid 1), started last (Scheduler.HandOver).
    public static unsafe class InitProcess
    {
        private static ArgBlock _args;
        private const string DefaultHome = "HOME=/", DefaultPath = "PATH=/bin:/", DefaultTerm = "TERM=dumb";

        // init's process and thread, not yet runnable.
        public static Thread Create(CommandLine* commandLine)
        {
            LeakAccounting.Init(commandLine);
            bool hasList = commandLine->TryGet("run", out byte* list, out int length);
            CpioEntry args = File("init.args"), env = File("init.env");
            // repeat=K (make stress): init runs the list K times, as INIT_REPEAT=K in its environment.
            bool repeat = commandLine->TryGet("repeat", out byte* rounds, out int roundsLength) && roundsLength <= 8;
            _args = new ArgBlock((hasList ? length : 0) + (int)args.Size + (int)env.Size + 64 + (repeat ? 32 : 0));   // + "init", HOME, PATH, TERM
            _args.Add("init", false);
            if (hasList)
            {
                int start = 0;
                for (int i = 0; i <= length; i++)
                {
                    if (i < length && list[i] != (byte)',') continue;
                    if (i > start) _args.Add(list + start, i - start, false);
                    start = i + 1;
                }
            }
            AddStrings(args, false);
            AddStrings(env, true);
            if (!Sets(env, DefaultHome)) _args.Add(DefaultHome, true);
            if (!Sets(env, DefaultPath)) _args.Add(DefaultPath, true);
            if (!Sets(env, DefaultTerm)) _args.Add(DefaultTerm, true);
            if (repeat)
            {
                const string Name = "INIT_REPEAT=";
                byte* entry = stackalloc byte[Name.Length + 8];
                for (int i = 0; i < Name.Length; i++) entry[i] = (byte)Name[i];
                for (int i = 0; i < roundsLength; i++) entry[Name.Length + i] = rounds[i];
                _args.Add(entry, Name.Length + roundsLength, true);
            }

            Process p = Processes.Create(null);
            p.Files = FileTable.ForInit();
            p.Cwd = Sticky.Fs.Vfs.Root;
            Sticky.Fs.Vfs.Use(p.Cwd);
            Processes.Init = p;
            Thread t = Processes.NewUserThread("init", &Run);
            if (t == null) Panic.Halt("no memory for init");
            ulong flags = Scheduler.Lock();
            Processes.AddThreadLocked(p, t);
            Scheduler.Unlock(flags);
            p.Pid = t.Id;
            return t;
        }

        // An initramfs file, or an empty entry when there is none (or it is too big to be arguments).
        private static CpioEntry File(string name)
        {
            byte* path = stackalloc byte[16];
            for (int i = 0; i < name.Length; i++) path[i] = (byte)name[i];
            if (!Cpio.Find(Initramfs.Archive, Initramfs.Length, path, name.Length, out CpioEntry file)
                || !file.IsRegular || file.Size > ArgBlock.MaxBytes) return default;
            return file;
        }

        // Each NUL-terminated string of `file` (a last one without its NUL too).
        private static void AddStrings(CpioEntry file, bool environment)
        {
            int start = 0, size = (int)file.Size;
            for (int i = 0; i <= size; i++)
            {
                if (i < size && file.Data[i] != 0) continue;
                if (i > start || i < size) _args.Add(file.Data + start, i - start, environment);
                start = i + 1;
            }
        }

        // Does the environment file set the variable that `assignment` ("NAME=value") sets?
        private static bool Sets(CpioEntry env, string assignment)
        {
            int size = (int)env.Size;
            for (int start = 0; start < size;)
            {
                int i = 0;
                while (start + i < size && i < assignment.Length && env.Data[start + i] == (byte)assignment[i]
                       && assignment[i] != '=') i++;
                if (start + i < size && i < assignment.Length && assignment[i] == '=' && env.Data[start + i] == (byte)'=')
                    return true;
                while (start < size && env.Data[start] != 0) start++;
                start++;
            }
            return false;
        }

        // On init's own thread: load /init, then drop to ring 3.
        private static void Run(ulong _)
        {
            Thread t = Scheduler.Current;
            byte* path = stackalloc byte[5];
            path[0] = (byte)'i'; path[1] = (byte)'n'; path[2] = (byte)'i'; path[3] = (byte)'t'; path[4] = 0;
            int err = Exec.Replace(t.Process, path, 4, _args, out ulong entry, out ulong sp);
            _args.Release();
            if (err != 0)
            {
                Console.Write("init: cannot start /init from the initramfs: ");
                Console.WriteLine(Errno.Name(-err) ?? "error");
                Machine.Exit(Machine.ExitFailure);
            }
            Exec.StartImage(t, UserMode.FrameOf(t.StackTop), entry, sp);
            UserMode.Enter(t.StackTop, t.FpuState);
        }
    }
}
