namespace Sticky.Proc
{
    // A process's user and group ids, as the setuid family changes them.
    // Everyone starts as root; root may take any ids (and then is root no
    // more), as on Linux. Only the ids are kept: file access is not checked
    // against them (docs/processes.md, "Identity").
    public unsafe struct Credentials
    {
        public const int MaxGroups = 32;   // Linux allows 65536 (NGROUPS_MAX); more here is EINVAL

        public int Uid, Euid, Suid, Fsuid;
        public int Gid, Egid, Sgid, Fsgid;
        public int GroupCount;
        public fixed int Groups[MaxGroups];

        public bool IsRoot => Euid == 0;
    }
}
