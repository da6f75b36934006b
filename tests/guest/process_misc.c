/*
 * process_misc - the process odds and ends libcs and programs ask for, with
 * Linux's answers: prctl (names, the parent-death signal, dumpable,
 * no_new_privs, unknown options), getpriority/setpriority, getcpu,
 * sched_setaffinity, membarrier, mincore/msync/mlock, the setuid family and
 * supplementary groups (a child that gives up root may not take it back),
 * clock_settime/settimeofday permissions. Run natively too, as root.
 */
// guest: timeout=60
#define GUEST_NAME "process_misc"
#include "guest.h"

#include <grp.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#define BAD_PTR ((void *)16)

static void test_prctl(void)
{
    char name[32] = {0};
    expect_eq(prctl(PR_SET_NAME, "a-name-longer-than-fifteen", 0, 0, 0), 0);
    expect_eq(prctl(PR_GET_NAME, name, 0, 0, 0), 0);
    if (strcmp(name, "a-name-longer-t") != 0) fail("PR_GET_NAME gave '%s'", name);
    expect_eq(prctl(PR_SET_NAME, BAD_PTR, 0, 0, 0), -1);
    expect_eq(errno, EFAULT);
    expect_eq(prctl(PR_GET_NAME, BAD_PTR, 0, 0, 0), -1);
    expect_eq(errno, EFAULT);

    int sig = -1;
    expect_eq(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0), 0);
    expect_eq(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
    expect_eq(sig, SIGUSR1);
    expect_eq(prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0), -1);
    expect_eq(errno, EINVAL);
    pid_t pid = fork();
    if (pid == 0) {   /* fork clears the parent-death signal */
        int s = -1;
        _exit(prctl(PR_GET_PDEATHSIG, &s, 0, 0, 0) == 0 && s == 0 ? 0 : 1);
    }
    int status;
    expect_eq(waitpid(pid, &status, 0), pid);
    expect_eq(status, 0);
    expect_eq(prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0), 0);

    expect_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
    expect_eq(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), -1);
    expect_eq(errno, EINVAL);
    expect_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
    expect_eq(prctl(PR_CAPBSET_READ, 0, 0, 0, 0), 1);
    expect_eq(prctl(PR_CAPBSET_READ, 1000, 0, 0, 0), -1);
    expect_eq(errno, EINVAL);
    expect_eq(prctl(0x7fff1234, 0, 0, 0, 0), -1);
    expect_eq(errno, EINVAL);
    printf("process_misc: prctl ok\n");
}

static void test_priority(void)
{
    errno = 0;
    int old = getpriority(PRIO_PROCESS, 0);
    expect_eq(errno, 0);
    expect_eq(setpriority(PRIO_PROCESS, 0, 5), 0);
    expect_eq(getpriority(PRIO_PROCESS, 0), 5);
    expect_eq(getpriority(PRIO_PROCESS, getpid()), 5);
    expect_eq(setpriority(PRIO_PROCESS, 0, 100), 0);   /* clamped */
    expect_eq(getpriority(PRIO_PROCESS, 0), 19);
    expect_eq(nice(0), 19);
    expect_eq(setpriority(PRIO_PROCESS, 0, old), 0);   /* root may go back down */
    expect_eq(getpriority(PRIO_PROCESS, 0), old);
    expect_eq(getpriority(42, 0), -1);
    expect_eq(errno, EINVAL);
    expect_eq(setpriority(PRIO_PROCESS, 999999, 0), -1);
    expect_eq(errno, ESRCH);

    unsigned cpu = 99, node = 99;
    expect_eq(syscall(SYS_getcpu, &cpu, &node, NULL), 0);
    expect_true(cpu < 1024 && node < 1024);
    expect_eq(syscall(SYS_getcpu, NULL, NULL, NULL), 0);
    expect_eq(syscall(SYS_getcpu, BAD_PTR, NULL, NULL), -1);
    expect_eq(errno, EFAULT);

    cpu_set_t set;
    expect_eq(sched_getaffinity(0, sizeof set, &set), 0);
    expect_eq(sched_setaffinity(0, sizeof set, &set), 0);
    cpu_set_t none;
    CPU_ZERO(&none);
    expect_eq(sched_setaffinity(0, sizeof none, &none), -1);
    expect_eq(errno, EINVAL);
    expect_eq(sched_setaffinity(0, sizeof set, BAD_PTR), -1);
    expect_eq(errno, EFAULT);
    expect_eq(sched_setaffinity(999999, sizeof set, &set), -1);
    expect_eq(errno, ESRCH);
    printf("process_misc: priority and cpus ok\n");
}

static void test_memory(void)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect_true(m != MAP_FAILED);
    m[page] = 1;   /* only the second page is touched */
    unsigned char vec[4] = {9, 9, 9, 9};
    expect_eq(mincore(m, 4 * page, vec), 0);
    expect_eq(vec[0] & 1, 0);
    expect_eq(vec[1] & 1, 1);
    expect_eq(mincore(m + 1, page, vec), -1);
    expect_eq(errno, EINVAL);
    expect_eq(mincore(m, page, BAD_PTR), -1);
    expect_eq(errno, EFAULT);
    expect_eq(msync(m, page, MS_SYNC), 0);
    expect_eq(msync(m, page, MS_SYNC | MS_ASYNC), -1);
    expect_eq(errno, EINVAL);
    expect_eq(msync(m + 1, page, MS_SYNC), -1);
    expect_eq(errno, EINVAL);
    expect_eq(mlock(m, 4 * page), 0);
    expect_eq(munlock(m, 4 * page), 0);
    expect_eq(munmap(m, 4 * page), 0);
    expect_eq(mincore(m, page, vec), -1);
    expect_eq(errno, ENOMEM);
    expect_eq(msync(m, page, MS_ASYNC), -1);
    expect_eq(errno, ENOMEM);
    expect_eq(mlock(m, page), -1);
    expect_eq(errno, ENOMEM);
    expect_eq(mlockall(0), -1);
    expect_eq(errno, EINVAL);

    long supported = syscall(SYS_membarrier, 0 /* QUERY */, 0, 0);
    expect_true(supported > 0 && (supported & 1));   /* MEMBARRIER_CMD_GLOBAL */
    expect_eq(syscall(SYS_membarrier, 1, 0, 0), 0);
    expect_eq(syscall(SYS_membarrier, 8 /* PRIVATE_EXPEDITED */, 0, 0), -1);
    expect_eq(errno, EPERM);
    expect_eq(syscall(SYS_membarrier, 16 /* REGISTER_PRIVATE_EXPEDITED */, 0, 0), 0);
    expect_eq(syscall(SYS_membarrier, 8, 0, 0), 0);
    expect_eq(syscall(SYS_membarrier, 0, 1, 0), -1);
    expect_eq(errno, EINVAL);
    printf("process_misc: memory queries ok\n");
}

/* In a child: root takes other ids, loses root, and may not take it back. */
static int identity_child(void)
{
    uid_t r, e, s;
    gid_t groups[4] = {7, 8, 9};
    if (setgroups(3, groups) != 0) return 1;
    gid_t got[8];
    if (getgroups(0, NULL) != 3 || getgroups(8, got) != 3 || got[2] != 9) return 2;
    if (getgroups(1, got) != -1 || errno != EINVAL) return 3;
    if (setresgid(100, 101, 102) != 0) return 4;
    if (getresgid(&r, &e, &s) != 0 || r != 100 || e != 101 || s != 102 || getgid() != 100 || getegid() != 101) return 5;
    if (setreuid(1000, 1001) != 0) return 6;
    if (getresuid(&r, &e, &s) != 0 || r != 1000 || e != 1001 || s != 1001) return 7;
    if (getuid() != 1000 || geteuid() != 1001) return 8;
    if (setuid(0) != -1 || errno != EPERM) return 9;
    if (setuid(1000) != 0 || geteuid() != 1000) return 10;   /* the real id is allowed */
    if (setgroups(0, NULL) != -1 || errno != EPERM) return 11;
    if (setresuid(-1, 1001, -1) != 0 || geteuid() != 1001) return 12;   /* the saved id is allowed */
    if (setresuid(-1, 5, -1) != -1 || errno != EPERM) return 13;
    if (setuid(-1) != -1 || errno != EINVAL) return 14;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (clock_settime(CLOCK_REALTIME, &ts) != -1 || errno != EPERM) return 15;
    if (setpriority(PRIO_PROCESS, 0, 10) != 0 || setpriority(PRIO_PROCESS, 0, 0) != -1 || errno != EACCES) return 16;
    if (getresuid(BAD_PTR, &e, &s) != -1 || errno != EFAULT) return 17;
    return 0;
}

static void test_identity(void)
{
    expect_eq(getuid(), 0);
    expect_eq(geteuid(), 0);
    pid_t pid = fork();
    if (pid == 0) _exit(identity_child());
    int status;
    expect_eq(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("identity child failed at step %d", WEXITSTATUS(status));
    expect_eq(getuid(), 0);   /* the parent keeps its ids */

    struct timespec ts;
    expect_eq(clock_settime(CLOCK_MONOTONIC, &ts), -1);
    expect_eq(errno, EINVAL);
    expect_eq(clock_settime(CLOCK_REALTIME, BAD_PTR), -1);
    expect_eq(errno, EFAULT);
    ts.tv_sec = 0; ts.tv_nsec = 2000000000;
    expect_eq(clock_settime(CLOCK_REALTIME, &ts), -1);
    expect_eq(errno, EINVAL);
    struct timeval tv = { .tv_sec = 1, .tv_usec = 1000000 };
    expect_eq(settimeofday(&tv, NULL), -1);
    expect_eq(errno, EINVAL);
    printf("process_misc: identity ok\n");
}

int main(void)
{
    start_watchdog(50);
    test_prctl();
    test_priority();
    test_memory();
    test_identity();
    pass();
}
