namespace Sticky
{
    // Linux errno values (asm-generic/errno-base.h, errno.h). Syscalls return
    // them negated, exactly as the Linux x86-64 ABI does.
    public static class Errno
    {
        public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
            ENOEXEC = 8, EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14,
            EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23,
            EMFILE = 24, ENOTTY = 25, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EPIPE = 32,
            ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, EOVERFLOW = 75, EOPNOTSUPP = 95, ETIMEDOUT = 110;
        public const int EDEADLK = 35, ENOMSG = 42, EIDRM = 43, EOWNERDEAD = 130;
        public const int EWOULDBLOCK = EAGAIN, ETXTBSY = 26, EMLINK = 31, ENOLCK = 37, ENOTSOCK = 88, EDESTADDRREQ = 89, EMSGSIZE = 90,
            EPROTOTYPE = 91, EPROTONOSUPPORT = 93, ESOCKTNOSUPPORT = 94, EAFNOSUPPORT = 97, EISCONN = 106, ENOTCONN = 107;
        public const int EDOM = 33, ENOPROTOOPT = 92, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETUNREACH = 101, ECONNRESET = 104,
            ECONNREFUSED = 111, EALREADY = 114, EINPROGRESS = 115;

        public static string Name(int errno)
        {
            switch (errno)
            {
                case EPERM: return "EPERM";
                case ENOENT: return "ENOENT";
                case ESRCH: return "ESRCH";
                case EINTR: return "EINTR";
                case EIO: return "EIO";
                case ENXIO: return "ENXIO";
                case E2BIG: return "E2BIG";
                case ENOEXEC: return "ENOEXEC";
                case EBADF: return "EBADF";
                case ECHILD: return "ECHILD";
                case EAGAIN: return "EAGAIN";
                case ENOMEM: return "ENOMEM";
                case EACCES: return "EACCES";
                case EFAULT: return "EFAULT";
                case EBUSY: return "EBUSY";
                case EEXIST: return "EEXIST";
                case EXDEV: return "EXDEV";
                case ENODEV: return "ENODEV";
                case ENOTDIR: return "ENOTDIR";
                case EISDIR: return "EISDIR";
                case EINVAL: return "EINVAL";
                case ENFILE: return "ENFILE";
                case EMFILE: return "EMFILE";
                case ENOTTY: return "ENOTTY";
                case EFBIG: return "EFBIG";
                case ENOSPC: return "ENOSPC";
                case ESPIPE: return "ESPIPE";
                case EROFS: return "EROFS";
                case EPIPE: return "EPIPE";
                case ERANGE: return "ERANGE";
                case ENAMETOOLONG: return "ENAMETOOLONG";
                case ENOSYS: return "ENOSYS";
                case ENOTEMPTY: return "ENOTEMPTY";
                case ELOOP: return "ELOOP";
                case EOVERFLOW: return "EOVERFLOW";
                case EOPNOTSUPP: return "EOPNOTSUPP";
                case ETIMEDOUT: return "ETIMEDOUT";
                case EDEADLK: return "EDEADLK";
                case ENOMSG: return "ENOMSG";
                case EIDRM: return "EIDRM";
                case EOWNERDEAD: return "EOWNERDEAD";
                case ETXTBSY: return "ETXTBSY";
                case EMLINK: return "EMLINK";
                case ENOLCK: return "ENOLCK";
                case ENOTSOCK: return "ENOTSOCK";
                case EDESTADDRREQ: return "EDESTADDRREQ";
                case EMSGSIZE: return "EMSGSIZE";
                case EPROTOTYPE: return "EPROTOTYPE";
                case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
                case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
                case EAFNOSUPPORT: return "EAFNOSUPPORT";
                case EISCONN: return "EISCONN";
                case ENOTCONN: return "ENOTCONN";
                case EDOM: return "EDOM";
                case ENOPROTOOPT: return "ENOPROTOOPT";
                case EADDRINUSE: return "EADDRINUSE";
                case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
                case ENETUNREACH: return "ENETUNREACH";
                case ECONNRESET: return "ECONNRESET";
                case ECONNREFUSED: return "ECONNREFUSED";
                case EALREADY: return "EALREADY";
                case EINPROGRESS: return "EINPROGRESS";
                default: return null;
            }
        }
    }
}
