using Sticky.Mm;

namespace Sticky.Net
{
    // The ports bound on one protocol (UDP or TCP): which owner holds which
    // (address, port). Two bindings conflict when their addresses overlap
    // (EADDRINUSE). Port 0 asks for an ephemeral port: the next free one
    // after the last given, in Linux's default range. The kernel guards a
    // table with the scheduler lock (Inet.cs); it may grow under it (the
    // kernel heap's lock is a leaf).
    public sealed class PortTable
    {
        public const int EphemeralFirst = 32768, EphemeralLast = 60999;

        private InetAddress[] _addresses = new InetAddress[8];
        private object[] _owners = new object[8];
        private int _count;
        private int _nextEphemeral = EphemeralFirst;

        public int Count => _count;
        public object OwnerAt(int i) => _owners[i];
        public InetAddress AddressAt(int i) => _addresses[i];

        // Binds `owner` to `at` (its port chosen when 0, and written back):
        // 0, -EADDRINUSE, or -EAGAIN when no ephemeral port is free.
        public int Bind(ref InetAddress at, object owner)
        {
            if (at.Port == 0)
            {
                int span = EphemeralLast - EphemeralFirst + 1;
                for (int tries = 0; tries < span; tries++)
                {
                    var candidate = new InetAddress(at.Address, (ushort)_nextEphemeral);
                    _nextEphemeral = _nextEphemeral == EphemeralLast ? EphemeralFirst : _nextEphemeral + 1;
                    if (Conflicts(candidate)) continue;
                    at = candidate;
                    Add(at, owner);
                    return 0;
                }
                return -Errno.EAGAIN;
            }
            if (Conflicts(at)) return -Errno.EADDRINUSE;
            Add(at, owner);
            return 0;
        }

        public bool Conflicts(InetAddress at)
        {
            for (int i = 0; i < _count; i++) if (_addresses[i].Overlaps(at)) return true;
            return false;
        }

        private void Add(InetAddress at, object owner)
        {
            if (_count == _owners.Length)
            {
                var addresses = new InetAddress[_count * 2];
                var owners = new object[_count * 2];
                for (int i = 0; i < _count; i++) { addresses[i] = _addresses[i]; owners[i] = _owners[i]; }
                ObjectRelease.Release(_addresses);
                ObjectRelease.Release(_owners);
                _addresses = addresses;
                _owners = owners;
            }
            _addresses[_count] = at;
            _owners[_count] = owner;
            _count++;
        }

        // `owner`'s binding goes (the last one moves into its slot).
        public void Unbind(object owner)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_owners[i] != owner) continue;
                _count--;
                _addresses[i] = _addresses[_count];
                _owners[i] = _owners[_count];
                _owners[_count] = null;
                return;
            }
        }

        // Who takes what is sent to `destination`: a binding of its very
        // address before one of any address; null if none.
        public object Find(InetAddress destination)
        {
            object any = null;
            for (int i = 0; i < _count; i++)
            {
                if (!destination.ReachesBinding(_addresses[i])) continue;
                if (_addresses[i].Address == destination.Address) return _owners[i];
                any ??= _owners[i];
            }
            return any;
        }
    }
}
