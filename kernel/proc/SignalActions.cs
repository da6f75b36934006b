using Sticky.Mm;

namespace Sticky.Proc
{
    // A process's signal dispositions as rt_sigaction sets them: for each
    // signal the kernel's struct sigaction (handler, flags, restorer, mask:
    // 32 bytes), kept so that SIG_IGN is honoured and what a program set is
    // what it reads back. Handlers do not run yet: a signal that would call
    // one is dropped (neither delivered nor its default action taken), so a
    // shell that catches SIGINT survives Ctrl-C. Inherited at fork; exec
    // resets handlers to the default and keeps what is ignored, as Linux.
    public sealed unsafe class SignalActions
    {
        public const int Count = 64, Words = 4;       // signals 1..64; ulongs per struct sigaction
        public const ulong Default = 0, Ignore = 1;   // SIG_DFL, SIG_IGN

        private readonly ulong[] _actions = new ulong[Count * Words];

        public ulong Handler(int signal) => _actions[(signal - 1) * Words];

        public void Get(int signal, ulong* into)
        {
            for (int i = 0; i < Words; i++) into[i] = _actions[(signal - 1) * Words + i];
        }

        public void Set(int signal, ulong* from)
        {
            for (int i = 0; i < Words; i++) _actions[(signal - 1) * Words + i] = from[i];
        }

        public SignalActions Clone()
        {
            var copy = new SignalActions();
            for (int i = 0; i < _actions.Length; i++) copy._actions[i] = _actions[i];
            return copy;
        }

        public void ResetForExec()
        {
            for (int s = 0; s < Count; s++)
            {
                ulong handler = _actions[s * Words];
                for (int i = 0; i < Words; i++) _actions[s * Words + i] = 0;
                if (handler == Ignore) _actions[s * Words] = Ignore;
            }
        }

        public void Release()
        {
            KernelHeap.Free(_actions);
            KernelHeap.Free(this);
        }
    }
}
