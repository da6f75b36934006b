/*
 * libc_startup - the calls a libc makes as a program starts, through raw
 * syscalls: getrandom, time, gettimeofday, prlimit64/getrlimit/setrlimit
 * (RLIMIT_NOFILE is enforced: EMFILE past it), sched_getaffinity, umask,
 * getrusage, times, sysinfo, uname's release in Linux's X.Y.Z form; with
 * Linux's errors for bad flags, resources, pids and pointers.
 */
// guest: timeout=60
#define GUEST_NAME "libc_startup"
#include "guest.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/time.h>

#define BAD ((void *)1)

static long sys6(long nr, long a, long b, long c, long d)
{
    long r = syscall(nr, a, b, c, d);
    return r == -1 ? -errno : r;
}
#define S(nr, a, b, c, d) sys6(nr, (long)(a), (long)(b), (long)(c), (long)(d))

static void random_bytes(void)
{
    unsigned char a[32], b[32];
    expect_eq(S(SYS_getrandom, a, sizeof a, 0, 0), (long)sizeof a);
    expect_eq(S(SYS_getrandom, b, sizeof b, 1 /* GRND_NONBLOCK */, 0), (long)sizeof b);
    expect_true(memcmp(a, b, sizeof a) != 0);
    expect_eq(S(SYS_getrandom, a, 0, 0, 0), 0);
    expect_eq(S(SYS_getrandom, a, sizeof a, 8, 0), -EINVAL);
    expect_eq(S(SYS_getrandom, a, sizeof a, 2 | 4, 0), -EINVAL);   /* GRND_RANDOM with GRND_INSECURE */
    expect_eq(S(SYS_getrandom, BAD, 16, 0, 0), -EFAULT);
}

static void clocks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long t = 0;
    long r = S(SYS_time, &t, 0, 0, 0);
    expect_eq(r, t);
    /* Linux's time(2) reads the tick-updated coarse clock, which can still
       show the second before the one clock_gettime just returned. */
    expect_true(r >= ts.tv_sec - 1 && r <= ts.tv_sec + 2);
    expect_true(r > 1600000000);                                       /* the real time, not 1970 */
    expect_eq(S(SYS_time, 0, 0, 0, 0) >= r, 1);
    expect_eq(S(SYS_time, BAD, 0, 0, 0), -EFAULT);
    struct timeval tv;
    struct { int minutes, dst; } tz = { 99, 99 };
    expect_eq(S(SYS_gettimeofday, &tv, &tz, 0, 0), 0);
    expect_true(tv.tv_sec >= ts.tv_sec && tv.tv_sec <= ts.tv_sec + 2 && tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    expect_eq(S(SYS_gettimeofday, BAD, 0, 0, 0), -EFAULT);
    expect_eq(S(SYS_gettimeofday, 0, 0, 0, 0), 0);
}

static void limits(void)
{
    struct rlimit l, old;
    expect_eq(S(SYS_getrlimit, RLIMIT_NOFILE, &l, 0, 0), 0);
    expect_true(l.rlim_cur >= 64 && l.rlim_cur <= l.rlim_max);
    expect_eq(S(SYS_prlimit64, 0, RLIMIT_STACK, 0, &old), 0);
    expect_true(old.rlim_cur >= 4096 && old.rlim_cur <= old.rlim_max);
    expect_eq(S(SYS_prlimit64, 0, 99, 0, &old), -EINVAL);
    expect_eq(S(SYS_prlimit64, 999999, RLIMIT_NOFILE, 0, &old), -ESRCH);
    expect_eq(S(SYS_getrlimit, RLIMIT_NOFILE, BAD, 0, 0), -EFAULT);
    struct rlimit upside = { 20, 10 };
    expect_eq(S(SYS_setrlimit, RLIMIT_NOFILE, &upside, 0, 0), -EINVAL);

    /* A lower RLIMIT_NOFILE holds for new descriptors. */
    struct rlimit low = { 10, l.rlim_max };
    expect_eq(S(SYS_prlimit64, getpid(), RLIMIT_NOFILE, &low, &old), 0);
    expect_eq(old.rlim_cur, l.rlim_cur);
    expect_eq(S(SYS_dup2, 1, 10, 0, 0), -EBADF);
    expect_eq(S(SYS_fcntl, 1, F_DUPFD, 10, 0), -EINVAL);
    int fds[16], n = 0;
    long fd;
    while ((fd = S(SYS_dup, 1, 0, 0, 0)) >= 0 && n < 16) fds[n++] = (int)fd;
    expect_eq(fd, -EMFILE);
    for (int i = 0; i < n; i++) expect_true(fds[i] < 10);
    for (int i = 0; i < n; i++) close(fds[i]);
    expect_eq(S(SYS_setrlimit, RLIMIT_NOFILE, &l, 0, 0), 0);
    expect_eq(S(SYS_getrlimit, RLIMIT_NOFILE, &old, 0, 0), 0);
    expect_eq(old.rlim_cur, l.rlim_cur);
}

static void cpus_and_usage(void)
{
    unsigned long mask[16] = { 0 };
    long r = S(SYS_sched_getaffinity, 0, sizeof mask, mask, 0);
    expect_true(r >= 8 && r <= (long)sizeof mask && r % 8 == 0);
    expect_true(mask[0] & 1);
    expect_eq(S(SYS_sched_getaffinity, 0, 4, mask, 0), -EINVAL);
    expect_eq(S(SYS_sched_getaffinity, 999999, sizeof mask, mask, 0), -ESRCH);
    expect_eq(S(SYS_sched_getaffinity, 0, sizeof mask, BAD, 0), -EFAULT);

    expect_eq(S(SYS_umask, 027, 0, 0, 0), 022);
    expect_eq(S(SYS_umask, 022, 0, 0, 0), 027);

    struct rusage ru;
    expect_eq(S(SYS_getrusage, RUSAGE_SELF, &ru, 0, 0), 0);
    expect_true(ru.ru_maxrss > 0);
    expect_eq(S(SYS_getrusage, RUSAGE_CHILDREN, &ru, 0, 0), 0);
    expect_eq(S(SYS_getrusage, 5, &ru, 0, 0), -EINVAL);
    expect_eq(S(SYS_getrusage, RUSAGE_SELF, BAD, 0, 0), -EFAULT);

    struct tms tms;
    long ticks = S(SYS_times, &tms, 0, 0, 0);
    expect_true(ticks >= 0);
    expect_true(S(SYS_times, 0, 0, 0, 0) >= ticks);
    expect_eq(S(SYS_times, BAD, 0, 0, 0), -EFAULT);

    struct sysinfo si;
    expect_eq(S(SYS_sysinfo, &si, 0, 0, 0), 0);
    expect_true(si.mem_unit >= 1 && si.totalram > si.freeram && si.freeram > 0 && si.procs >= 1);
    expect_eq(S(SYS_sysinfo, BAD, 0, 0, 0), -EFAULT);

    struct utsname u;
    expect_eq(S(SYS_uname, &u, 0, 0, 0), 0);
    int major, minor, patch;
    if (sscanf(u.release, "%d.%d.%d", &major, &minor, &patch) != 3 || major < 3)
        fail("uname release %s is not Linux's X.Y.Z", u.release);
    expect_true(strcmp(u.machine, "x86_64") == 0);
}

int main(void)
{
    start_watchdog(50);
    random_bytes();
    clocks();
    limits();
    cpus_and_usage();
    pass();
}
