namespace Sticky.Mm
{
    // How many processes use this address space: one, except while a
    // CLONE_VM|CLONE_VFORK child (posix_spawn, vfork) borrows its parent's
    // until it execs or exits. The last user destroys it. The caller
    // serialises the count (the kernel: under the scheduler lock).
    public sealed partial class AddressSpace<TMem, TTlb>
    {
        private int _users = 1;

        public int Users => _users;

        public void AddUser()
        {
            if (_users <= 0) throw new System.InvalidOperationException("AddressSpace.AddUser: the space is gone");
            _users++;
        }

        // True when the caller was the last user and must Destroy the space.
        public bool RemoveUser()
        {
            if (_users <= 0) throw new System.InvalidOperationException("AddressSpace.RemoveUser: no users");
            return --_users == 0;
        }
    }
}
