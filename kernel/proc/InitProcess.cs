using Sticky.Arch;
using Sticky.Debug;
using Sticky.Exec;
using Sticky.Io;
using Sticky.Platform;

namespace Sticky.Proc
{
    // pid 1: /init from the initramfs, with the programs named by the command
    // line's `run=a,b,c` as its arguments. Its exit powers the machine off
    // (Processes.Teardown), with an exit code that says whether all went well.
    // Created first (it gets pid 1), started last (Scheduler.HandOver).
    public static unsafe class InitProcess
    {
        private static ArgBlock _args;

        // init's process and thread, not yet runnable.
        public static Thread Create(CommandLine* commandLine)
        {
            LeakAccounting.Init(commandLine);
            bool hasList = commandLine->TryGet("run", out byte* list, out int length);
            _args = new ArgBlock((hasList ? length : 0) + 64);   // the list's names, "init", the environment
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
            _args.Add("PATH=/", true);
            _args.Add("TERM=dumb", true);

            Process p = Processes.Create(null);
            p.Files = FileTable.WithConsole();
            p.Cwd = Sticky.Fs.Vfs.Root;
            Sticky.Fs.Vfs.Use(p.Cwd);
            Processes.Init = p;
            Thread t = Processes.NewUserThread("init", &Run);
            if (t == null) Panic.Halt("no memory for init");
            t.Process = p;
            p.FirstThread = t;
            p.LiveThreads = 1;
            p.Pid = t.Id;
            return t;
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
