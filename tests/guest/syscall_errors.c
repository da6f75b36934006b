/*
 * syscall_errors.c - Linux errno behaviour through raw syscall(2).
 *
 * Every check is deterministic: it never depends on what fds 0/1/2 are
 * connected to (a write of a bad pointer to /dev/null would "succeed", a
 * read from a terminal could block), so EFAULT checks use a private pipe
 * that this program owns, and EBADF checks use fd 99 after closing it.
 * Each check prints one line; the program FAILs if any check fails.
 */
#define GUEST_NAME "syscall_errors"
#include "guest.h"

#include <sys/mman.h>
#include <sys/syscall.h>

/* musl-gcc has no kernel headers: Linux futex ABI constants. */
#ifndef FUTEX_WAKE
#define FUTEX_WAKE 1
#endif
#ifndef FUTEX_PRIVATE_FLAG
#define FUTEX_PRIVATE_FLAG 128
#endif

#define BAD_PTR ((void *)1)
#define BAD_FD 99

/* Symbolic errno name (musl has no strerrorname_np). */
static const char *errno_name(int e)
{
    switch (e) {
    case EFAULT: return "EFAULT";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    default: return "E?";
    }
}

static int nfailed;
static int nchecks;

/* A raw syscall must return -1 with errno == want_errno. */
static void check_err(const char *name, long ret, int err, int want_errno)
{
    nchecks++;
    if (ret == -1 && err == want_errno) {
        printf("check %-28s ok   (-1, %s)\n", name, errno_name(want_errno));
        return;
    }
    nfailed++;
    printf("check %-28s BAD  (got ret=%ld errno=%d, want -1 errno=%d %s)\n", name, ret,
           ret == -1 ? err : 0, want_errno, errno_name(want_errno));
}

#define CHECK(name, call, want)                                               \
    do {                                                                      \
        errno = 0;                                                            \
        long _r = (call);                                                     \
        int _e = errno;                                                       \
        check_err(name, _r, _e, want);                                        \
    } while (0)

int main(void)
{
    start_watchdog(10);

    /* Make sure BAD_FD is really closed. */
    syscall(SYS_close, BAD_FD);

    int pfd[2] = { -1, -1 };
    long pr = syscall(SYS_pipe2, pfd, 0);
    if (pr != 0)
        fail("pipe2 failed (errno %d): needed for deterministic EFAULT checks", errno);
    printf("syscall_errors: private pipe fds %d,%d\n", pfd[0], pfd[1]);

    char good[8] = "abcdefg";

    /* write(2) */
    CHECK("write_bad_pointer_EFAULT", syscall(SYS_write, pfd[1], BAD_PTR, 8), EFAULT);
    CHECK("write_bad_fd_EBADF", syscall(SYS_write, BAD_FD, good, 8), EBADF);

    /* read(2): fd checked before the buffer -> EBADF. */
    CHECK("read_bad_fd_bad_ptr_EBADF", syscall(SYS_read, BAD_FD, BAD_PTR, 8), EBADF);
    /* read(2) of pending pipe data into a bad buffer -> EFAULT (never blocks). */
    if (syscall(SYS_write, pfd[1], good, 8) != 8)
        fail("write of 8 bytes into private pipe failed (errno %d)", errno);
    CHECK("read_bad_pointer_EFAULT", syscall(SYS_read, pfd[0], BAD_PTR, 8), EFAULT);

    /* close(2) */
    CHECK("close_bad_fd_EBADF", syscall(SYS_close, BAD_FD), EBADF);

    /* unknown syscall numbers: past Linux's table (which ends below 600) there
     * is nothing, not even a number the kernel keeps for itself. */
    CHECK("unknown_syscall_999_ENOSYS", syscall(999), ENOSYS);
    static const long unknown[] = { 600, 1000, 1001, 1023, 1024, 4096, 0x7fffffffL };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        char name[40];
        snprintf(name, sizeof name, "unknown_syscall_%ld_ENOSYS", unknown[i]);
        CHECK(name, syscall(unknown[i], 0, 0, 0, 0, 0, 0), ENOSYS);
    }

    /* mmap(2) with length 0 */
    CHECK("mmap_len0_EINVAL",
          syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);

    /* munmap(2) of an unaligned address inside a real mapping */
    long page = syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == -1 || (page & 4095) != 0)
        fail("mmap of one anonymous page failed (ret %ld errno %d)", page, errno);
    CHECK("munmap_unaligned_EINVAL", syscall(SYS_munmap, page + 1, 4096), EINVAL);
    if (syscall(SYS_munmap, page, 4096) != 0)
        fail("munmap of the page failed (errno %d)", errno);

    /* clock_gettime(2) with a bad pointer: raw syscall, not the vDSO. */
    CHECK("clock_gettime_bad_ptr_EFAULT",
          syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_PTR), EFAULT);

    /* nanosleep(2) with tv_nsec out of range */
    struct timespec bad_ts = { 0, 2000000000L };
    CHECK("nanosleep_nsec_2e9_EINVAL", syscall(SYS_nanosleep, &bad_ts, NULL), EINVAL);
    struct timespec neg_ts = { 0, -1 };
    CHECK("nanosleep_nsec_neg_EINVAL", syscall(SYS_nanosleep, &neg_ts, NULL), EINVAL);

    /* futex(2) on a misaligned address (FUTEX_WAKE: never blocks) */
    static int futex_words[2];
    CHECK("futex_misaligned_EINVAL",
          syscall(SYS_futex, (char *)futex_words + 1, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1,
                  NULL, NULL, 0),
          EINVAL);

    syscall(SYS_close, pfd[0]);
    syscall(SYS_close, pfd[1]);

    printf("syscall_errors: %d/%d checks ok\n", nchecks - nfailed, nchecks);
    if (nfailed)
        fail("%d of %d errno checks failed", nfailed, nchecks);
    pass();
}
