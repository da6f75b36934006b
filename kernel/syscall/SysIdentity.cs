using Sticky.Proc;

namespace Sticky.Sys
{
    // The setuid family and supplementary groups, with Linux's rules: root
    // (effective uid 0, which holds CAP_SETUID and CAP_SETGID) may set any
    // ids; anyone else only ids it already has (EPERM). An id of -1 means
    // "unchanged" where Linux says so, and is EINVAL for setuid/setgid.
    // The filesystem id follows the effective one. Changes are made under
    // the scheduler lock: the ids are the process's, shared by its threads
    // (which libcs set all at once), and /proc reads them under it.
    public static unsafe class SysIdentity
    {
        private const int Unchanged = -1;

        public static long GetUid() => Processes.Current.Creds.Uid;
        public static long GetEuid() => Processes.Current.Creds.Euid;
        public static long GetGid() => Processes.Current.Creds.Gid;
        public static long GetEgid() => Processes.Current.Creds.Egid;

        // setuid(2) / setgid(2).
        public static long SetId(int id, bool group)
        {
            ulong flags = Scheduler.Lock();
            long result = SetIdLocked(id, group);
            Scheduler.Unlock(flags);
            return result;
        }

        private static long SetIdLocked(int id, bool group)
        {
            if (id == Unchanged) return -Errno.EINVAL;
            ref Credentials c = ref Processes.Current.Creds;
            ref int r = ref group ? ref c.Gid : ref c.Uid;
            ref int e = ref group ? ref c.Egid : ref c.Euid;
            ref int s = ref group ? ref c.Sgid : ref c.Suid;
            ref int fs = ref group ? ref c.Fsgid : ref c.Fsuid;
            if (c.IsRoot) { r = e = s = fs = id; return 0; }
            if (id != r && id != s) return -Errno.EPERM;
            e = fs = id;
            return 0;
        }

        // setreuid(2) / setregid(2).
        public static long SetReId(int real, int effective, bool group)
        {
            ulong flags = Scheduler.Lock();
            long result = SetReIdLocked(real, effective, group);
            Scheduler.Unlock(flags);
            return result;
        }

        private static long SetReIdLocked(int real, int effective, bool group)
        {
            ref Credentials c = ref Processes.Current.Creds;
            ref int r = ref group ? ref c.Gid : ref c.Uid;
            ref int e = ref group ? ref c.Egid : ref c.Euid;
            ref int s = ref group ? ref c.Sgid : ref c.Suid;
            ref int fs = ref group ? ref c.Fsgid : ref c.Fsuid;
            if (!c.IsRoot)
            {
                if (real != Unchanged && real != r && real != e) return -Errno.EPERM;
                if (effective != Unchanged && effective != r && effective != e && effective != s) return -Errno.EPERM;
            }
            int oldReal = r;
            if (real != Unchanged) r = real;
            if (effective != Unchanged) e = effective;
            // The saved id follows the effective one when the real id is set, or the effective one moves off the old real id.
            if (real != Unchanged || (effective != Unchanged && effective != oldReal)) s = e;
            fs = e;
            return 0;
        }

        // setresuid(2) / setresgid(2).
        public static long SetResId(int real, int effective, int saved, bool group)
        {
            ulong flags = Scheduler.Lock();
            long result = SetResIdLocked(real, effective, saved, group);
            Scheduler.Unlock(flags);
            return result;
        }

        private static long SetResIdLocked(int real, int effective, int saved, bool group)
        {
            ref Credentials c = ref Processes.Current.Creds;
            ref int r = ref group ? ref c.Gid : ref c.Uid;
            ref int e = ref group ? ref c.Egid : ref c.Euid;
            ref int s = ref group ? ref c.Sgid : ref c.Suid;
            ref int fs = ref group ? ref c.Fsgid : ref c.Fsuid;
            if (!c.IsRoot && (!Held(real, r, e, s) || !Held(effective, r, e, s) || !Held(saved, r, e, s))) return -Errno.EPERM;
            if (real != Unchanged) r = real;
            if (effective != Unchanged) e = effective;
            if (saved != Unchanged) s = saved;
            fs = e;
            return 0;
        }

        private static bool Held(int id, int r, int e, int s) => id == Unchanged || id == r || id == e || id == s;

        // getresuid(2) / getresgid(2).
        public static long GetResId(ulong real, ulong effective, ulong saved, bool group)
        {
            Credentials c = Processes.Current.Creds;
            bool ok = UserMemory.Write(real, group ? c.Gid : c.Uid) && UserMemory.Write(effective, group ? c.Egid : c.Euid)
                      && UserMemory.Write(saved, group ? c.Sgid : c.Suid);
            return ok ? 0 : -Errno.EFAULT;
        }

        // setfsuid(2) / setfsgid(2): the old id, whether or not the change was allowed.
        public static long SetFsId(int id, bool group)
        {
            ulong flags = Scheduler.Lock();
            long result = SetFsIdLocked(id, group);
            Scheduler.Unlock(flags);
            return result;
        }

        private static long SetFsIdLocked(int id, bool group)
        {
            ref Credentials c = ref Processes.Current.Creds;
            ref int fs = ref group ? ref c.Fsgid : ref c.Fsuid;
            int old = fs;
            bool allowed = c.IsRoot || (group ? id == c.Gid || id == c.Egid || id == c.Sgid || id == c.Fsgid
                                              : id == c.Uid || id == c.Euid || id == c.Suid || id == c.Fsuid);
            if (id != Unchanged && allowed) fs = id;
            return old;
        }

        // getgroups(2): with size 0 only the count; EINVAL when size is too small.
        public static long GetGroups(int size, ulong list)
        {
            Credentials c = Processes.Current.Creds;
            if (size < 0) return -Errno.EINVAL;
            if (size == 0) return c.GroupCount;
            if (size < c.GroupCount) return -Errno.EINVAL;
            return UserMemory.CopyOut(list, c.Groups, (ulong)c.GroupCount * 4) ? c.GroupCount : -Errno.EFAULT;
        }

        // setgroups(2): root only (EPERM); more than Linux's NGROUPS_MAX or than we keep: EINVAL.
        public static long SetGroups(int size, ulong list)
        {
            ref Credentials c = ref Processes.Current.Creds;
            if (size < 0 || size > Credentials.MaxGroups) return -Errno.EINVAL;
            if (!c.IsRoot) return -Errno.EPERM;
            int* groups = stackalloc int[Credentials.MaxGroups];
            if (!UserMemory.CopyIn(groups, list, (ulong)size * 4)) return -Errno.EFAULT;
            ulong flags = Scheduler.Lock();
            for (int i = 0; i < size; i++) c.Groups[i] = groups[i];
            c.GroupCount = size;
            Scheduler.Unlock(flags);
            return 0;
        }
    }
}
