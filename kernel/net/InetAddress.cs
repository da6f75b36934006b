namespace Sticky.Net
{
    // An IPv4 address and port, in host byte order, and struct sockaddr_in
    // (family, port and address in network order, 8 bytes of zeros).
    public unsafe struct InetAddress
    {
        public const int AF_UNSPEC = 0, AF_INET = 2, SockaddrSize = 16;
        public const uint Any = 0, Loopback = 0x7F000001;

        public uint Address;
        public ushort Port;

        public InetAddress(uint address, ushort port) { Address = address; Port = port; }

        // This machine's: its only interface is the loopback one (127.0.0.0/8),
        // and INADDR_ANY means all of its addresses.
        public bool IsLocal => Address == Any || (Address >> 24) == 127;

        // Where a datagram or a connection to this address goes: INADDR_ANY is this machine, as on Linux.
        public InetAddress Destination => Address == Any ? new InetAddress(Loopback, Port) : this;

        // Does a socket bound to `bound` take what is sent here (same port; its address, or any)?
        public bool ReachesBinding(InetAddress bound) => bound.Port == Port && (bound.Address == Any || bound.Address == Address);

        // Do two bindings of one port overlap (the same address, or either is any)?
        public bool Overlaps(InetAddress other) =>
            other.Port == Port && (other.Address == Address || other.Address == Any || Address == Any);

        public bool Equals(InetAddress other) => other.Address == Address && other.Port == Port;

        // `length` bytes of a sockaddr (already in kernel memory): 0, -EINVAL
        // (too short), -EAFNOSUPPORT (not AF_INET; AF_UNSPEC only if `unspecOk`,
        // which gives family AF_UNSPEC back through `family`).
        public static int Parse(byte* sockaddr, int length, bool unspecOk, out InetAddress a, out int family)
        {
            a = default;
            family = length >= 2 ? sockaddr[0] | sockaddr[1] << 8 : -1;
            if (unspecOk && family == AF_UNSPEC) return 0;
            if (length < SockaddrSize) return -Errno.EINVAL;
            if (family != AF_INET) return -Errno.EAFNOSUPPORT;
            a.Port = (ushort)(sockaddr[2] << 8 | sockaddr[3]);
            a.Address = (uint)(sockaddr[4] << 24 | sockaddr[5] << 16 | sockaddr[6] << 8 | sockaddr[7]);
            return 0;
        }

        public void Write(byte* sockaddr)
        {
            sockaddr[0] = AF_INET; sockaddr[1] = 0;
            sockaddr[2] = (byte)(Port >> 8); sockaddr[3] = (byte)Port;
            sockaddr[4] = (byte)(Address >> 24); sockaddr[5] = (byte)(Address >> 16); sockaddr[6] = (byte)(Address >> 8); sockaddr[7] = (byte)Address;
            for (int i = 8; i < SockaddrSize; i++) sockaddr[i] = 0;
        }
    }
}
