/*
 * syscall_fuzz.c - random arguments to every syscall stickyos implements.
 *
 * Children issue thousands of calls with hostile arguments (NULL, unmapped,
 * kernel-half and non-canonical pointers, huge lengths, negative fds, random
 * flags). A child may die of a signal (it can unmap its own code) or block
 * (a futex wait without timeout): the parent kills it after a deadline and
 * starts the next. What must hold: the kernel neither panics nor leaks — the
 * runner's accounting check after this program catches frames, heap,
 * processes or pins left behind — and each child ends.
 *
 * Calls that would disturb the test itself are left out: the ones that make
 * processes (fork, clone, execve: a stray grandchild would outlive the test),
 * kill (init is pid 1), setrlimit and prlimit64 (they could shrink init's
 * limits), calls that make names (mkdir, rename: a random path could name one
 * in /tmp, which would outlive the test), and stickyos's accounting call
 * (its output is the leak check). The console fds are closed first, so random writes reach nothing.
 */
// guest: timeout=240
#define GUEST_NAME "syscall_fuzz"
#include "guest.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CHILDREN 40
#define CALLS_PER_CHILD 400
#define CHILD_DEADLINE_MS 3000

static const long calls[] = {
    SYS_read, SYS_write, SYS_close, SYS_lseek, SYS_mmap, SYS_mprotect, SYS_munmap, SYS_brk, SYS_mremap,
    SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_ioctl, SYS_readv, SYS_writev, SYS_pipe, SYS_pipe2,
    SYS_sched_yield, SYS_madvise, SYS_nanosleep, SYS_getpid, SYS_gettid, SYS_getppid,
    SYS_wait4, SYS_uname, SYS_getuid, SYS_arch_prctl, SYS_futex, SYS_set_tid_address,
    SYS_clock_gettime, SYS_clock_getres, SYS_clock_nanosleep, SYS_set_robust_list,
    SYS_open, SYS_openat, SYS_stat, SYS_fstat, SYS_lstat, SYS_newfstatat, SYS_statx, SYS_pread64,
    SYS_pwrite64, SYS_access, SYS_faccessat, SYS_dup, SYS_dup2, SYS_dup3, SYS_fcntl, SYS_getdents64,
    SYS_getcwd, SYS_readlink, SYS_readlinkat, SYS_ftruncate, SYS_umask, SYS_getrlimit, SYS_fchdir,
    999, 1000, 1001, 4096,   /* ENOSYS on stickyos and on Linux */
};

static uint64_t rng;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static char scratch[3 * 4096] __attribute__((aligned(4096)));

/* Mostly values a careless or hostile program would pass. */
static long argument(void)
{
    switch (next() % 16) {
    case 0: return 0;
    case 1: return -1;
    case 2: return (long)(next() % 8);                       /* small fds, counts, ops */
    case 3: return (long)(next() % 4096);
    case 4: return (long)scratch + (long)(next() % sizeof scratch);   /* valid, maybe misaligned */
    case 5: return (long)scratch;
    case 6: return 0x1000;                                   /* below user space */
    case 7: return (long)0xffff800000000000ul;               /* the kernel's direct map */
    case 8: return (long)0xffffffff80000000ul;               /* the kernel image */
    case 9: return (long)0x0000800000000000ul;               /* first non-canonical */
    case 10: return (long)0x00007ffffffff000ul;              /* user space's last page */
    case 11: return (long)(next() & 0xffffffff);             /* random 32-bit flags */
    case 12: return (long)next();                            /* anything */
    case 13: return 1L << (next() % 63);
    case 14: return (long)&rng;                              /* a valid word on a data page */
    default: return 4096L * (long)(next() % 64);             /* page-sized lengths */
    }
}

static void fuzz(unsigned seed)
{
    rng = 0x9e3779b97f4a7c15ull * (seed + 1);
    close(0);
    close(1);
    close(2);
    for (int i = 0; i < CALLS_PER_CHILD; i++) {
        long nr = calls[next() % (sizeof calls / sizeof calls[0])];
        long a[6];
        for (int j = 0; j < 6; j++)
            a[j] = argument();
        if (nr == SYS_nanosleep || nr == SYS_clock_nanosleep) {
            static struct timespec short_sleep = { 0, 1000000 };
            a[nr == SYS_nanosleep ? 0 : 2] = (long)&short_sleep;   /* keep sleeps short */
        }
        syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    _exit(0);
}

int main(void)
{
    start_watchdog(200);
    int exited = 0, signaled = 0, killed_at_deadline = 0;
    for (int c = 0; c < CHILDREN; c++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            fail("fork %d failed (errno %d)", c, errno);
        if (pid == 0)
            fuzz((unsigned)c);
        uint64_t deadline = now_ns() + CHILD_DEADLINE_MS * 1000000ull;
        int status = 0;
        for (;;) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid)
                break;
            if (r < 0)
                fail("waitpid(%d) failed (errno %d)", pid, errno);
            if (now_ns() > deadline) {
                kill(pid, SIGKILL);
                if (waitpid(pid, &status, 0) != pid)
                    fail("child %d did not die after SIGKILL", pid);
                killed_at_deadline++;
                break;
            }
            struct timespec ts = { 0, 5000000 };
            nanosleep(&ts, NULL);
        }
        if (WIFEXITED(status))
            exited++;
        else if (WIFSIGNALED(status))
            signaled++;
        else
            fail("child %d: unexpected wait status %#x", pid, status);
    }
    printf("syscall_fuzz: %d children x %d calls: %d exited, %d died of a signal (%d killed at the deadline)\n",
           CHILDREN, CALLS_PER_CHILD, exited, signaled, killed_at_deadline);
    pass();
}
