using Sticky.Proc;

namespace Sticky.Sys
{
    // What System V IPC does when a process is torn down: its SEM_UNDO
    // adjustments apply, and removed shared-memory segments whose last
    // attachment it was go.
    public static class SysvIpc
    {
        public static void ProcessGone(Process p)
        {
            SysSem.ApplyUndo(p);
            SysShm.SweepRemoved();
        }
    }
}
