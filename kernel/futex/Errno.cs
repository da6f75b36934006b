namespace Sticky.Futex
{
    // Linux errno numbers (x86-64, asm-generic/errno-base.h and errno.h), positive.
    // The syscall glue returns -value to user space. Only the ones futex code
    // produces; move this to the syscall layer when one exists and grow it there.
    public static class Errno
    {
        public const int EPERM = 1;
        public const int EINTR = 4;
        public const int EAGAIN = 11;      // also EWOULDBLOCK: FUTEX_WAIT found another value
        public const int ENOMEM = 12;
        public const int EFAULT = 14;
        public const int EINVAL = 22;
        public const int ENOSYS = 38;
        public const int ETIMEDOUT = 110;
    }
}
