// guest: timeout=90
/*
 * exit_vs_blocking - a process ends however its threads are caught. Its
 * threads enter blocking calls in tight loops: FUTEX_WAIT without a timeout
 * (plain and PRIVATE, woken again and again by a waker thread), one-byte
 * pipe reads fed by a writer thread, wait4 for a child that exits at once,
 * and nanosleep(20 s) in threads created all the time. Meanwhile the process
 * is killed (SIGKILL from its parent), exit_groups, or execs itself (every
 * other thread must end first). A thread caught between entering its call
 * and going to sleep must not sleep through that: every round must end
 * within 3 s with the expected wait status, and every process of the round
 * must be gone (EOF on a pipe they all hold). Many rounds, so the end lands
 * at many different points of the loops.
 *
 * On one CPU a thread is preempted mid-syscall only when its time slice
 * ends, and most of these calls reach their sleep within microseconds. So
 * one thread stays in the kernel for long before it blocks: after a
 * user-mode spin of random length, a readv of 1024 one-byte elements from a
 * pipe, read one element at a time, blocking once the pipe runs dry (after
 * the end nothing refills it). With SMP the other loops are caught too.
 */
#define GUEST_NAME "exit_vs_blocking"
#include "guest.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define ROUNDS 90
#define ROUND_DEADLINE_MS 3000
#define MAX_SLEEPERS 16
#define EXEC_EXIT 5
#define GROUP_EXIT 3

enum how { BY_KILL, BY_EXIT_GROUP, BY_EXEC };
static const char *const how_name[] = { "kill", "exit_group", "execve" };

static int word;                    /* FUTEX_WAIT on it sleeps until the waker's next wake */
static int private_word;
static int data_pipe[2], bulk_pipe[2];
static atomic_int sleepers;

static void *futex_waiter(void *flags)
{
    int *w = flags ? &private_word : &word;
    for (;;)
        syscall(SYS_futex, w, FUTEX_WAIT | (int)(intptr_t)flags, 0, NULL, NULL, 0);
    return NULL;
}

static void *futex_waker(void *a)
{
    (void)a;
    for (;;) {
        syscall(SYS_futex, &word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
        syscall(SYS_futex, &private_word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
        sched_yield();
    }
    return NULL;
}

static void *pipe_reader(void *a)
{
    (void)a;
    char c;
    for (;;)
        (void)read(data_pipe[0], &c, 1);
    return NULL;
}

static void *pipe_writer(void *a)
{
    (void)a;
    for (;;) {
        (void)write(data_pipe[1], "x", 1);
        sched_yield();
    }
    return NULL;
}

static void spin_us(long us)
{
    uint64_t end = now_ns() + (uint64_t)us * 1000;
    while (now_ns() < end)
        ;
}

/* Long stays in the kernel before blocking: a readv of 1024 one-byte
 * elements reads them one at a time and blocks once the pipe runs dry. */
#define IOVS 1024
static void *bulk_reader(void *a)
{
    (void)a;
    static char sink[IOVS];
    static struct iovec iov[IOVS];
    for (int i = 0; i < IOVS; i++)
        iov[i] = (struct iovec){ sink + i, 1 };
    unsigned seed = (unsigned)getpid();
    for (;;) {
        seed = seed * 1103515245u + 12345u;
        spin_us((long)((seed >> 8) % 12000));
        (void)readv(bulk_pipe[0], iov, IOVS);
    }
    return NULL;
}

static void *bulk_writer(void *a)
{
    (void)a;
    static char block[4096];
    for (;;)
        (void)write(bulk_pipe[1], block, sizeof block);
    return NULL;
}

static void *child_waiter(void *a)
{
    (void)a;
    for (;;) {
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        if (p > 0)
            (void)waitpid(p, NULL, 0);
    }
    return NULL;
}

static void *sleeper(void *a)
{
    (void)a;
    struct timespec ts = { 20, 0 };   /* slept through, the round's deadline shows it */
    nanosleep(&ts, NULL);
    return NULL;
}

static void *sleeper_spawner(void *a)
{
    (void)a;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (;;) {
        pthread_t t;
        if (atomic_load(&sleepers) < MAX_SLEEPERS && pthread_create(&t, &attr, sleeper, NULL) == 0)
            atomic_fetch_add(&sleepers, 1);
        else
            sched_yield();
    }
    return NULL;
}

static void delay_us(long us)
{
    struct timespec ts = { 0, us * 1000 };
    nanosleep(&ts, NULL);
}

/* The process of one round: start the loops, say so, then end as told. */
__attribute__((noreturn)) static void victim(enum how how, int ready_fd, long delay, char *self)
{
    if (pipe(data_pipe) != 0 || pipe(bulk_pipe) != 0)
        _exit(90);
    static void *(*const loops[])(void *) = { futex_waker, pipe_reader, pipe_writer, bulk_reader, bulk_writer,
                                              child_waiter, sleeper_spawner };
    pthread_t t;
    if (pthread_create(&t, NULL, futex_waiter, (void *)0) || pthread_create(&t, NULL, futex_waiter, (void *)FUTEX_PRIVATE_FLAG))
        _exit(91);
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++)
        if (pthread_create(&t, NULL, loops[i], NULL))
            _exit(91);
    if (write(ready_fd, "r", 1) != 1)
        _exit(92);
    if (how == BY_KILL)
        for (;;)
            sched_yield();   /* until the parent's SIGKILL */
    delay_us(delay);
    if (how == BY_EXIT_GROUP)
        syscall(SYS_exit_group, GROUP_EXIT);
    char *const again[] = { self, "exec-child", NULL };
    execve(self, again, NULL);
    _exit(93);
}

static int wait_with_deadline(pid_t pid, int *status)
{
    uint64_t t0 = now_ns();
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0)
            fail("waitpid(%d): %s", (int)pid, strerror(errno));
        if (ms_since(t0) > ROUND_DEADLINE_MS)
            return 0;
        delay_us(1000);
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "exec-child") == 0)
        _exit(EXEC_EXIT);
    start_watchdog(80);
    unsigned seed = 12345;
    int ends[3] = { 0, 0, 0 };
    for (int round = 0; round < ROUNDS; round++) {
        enum how how = (enum how)(round % 3);
        seed = seed * 1103515245u + 12345u;
        long delay = (long)((seed >> 8) % 15000);   /* 0..15 ms into the loops */
        int alive[2], ready[2];
        if (pipe(alive) != 0 || pipe(ready) != 0)
            fail("pipe: %s", strerror(errno));
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            fail("fork: %s", strerror(errno));
        if (pid == 0) {
            close(alive[0]);
            close(ready[0]);
            victim(how, ready[1], delay, argv[0]);
        }
        close(alive[1]);
        close(ready[1]);
        char c;
        if (read(ready[0], &c, 1) != 1)
            fail("round %d: the process died before its loops started", round);
        close(ready[0]);
        if (how == BY_KILL) {
            delay_us(delay);
            if (kill(pid, SIGKILL) != 0)
                fail("round %d: kill: %s", round, strerror(errno));
        }
        int status;
        if (!wait_with_deadline(pid, &status))
            fail("round %d (%s after %ld us): the process did not end within %d ms: "
                 "a thread slept through its end", round, how_name[how], delay, ROUND_DEADLINE_MS);
        int ok = how == BY_KILL ? WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
               : how == BY_EXIT_GROUP ? WIFEXITED(status) && WEXITSTATUS(status) == GROUP_EXIT
               : WIFEXITED(status) && WEXITSTATUS(status) == EXEC_EXIT;
        if (!ok)
            fail("round %d (%s): wait status %#x", round, how_name[how], status);
        /* EOF once the process and every child it forked are gone (the watchdog bounds it). */
        if (read(alive[0], &c, 1) != 0)
            fail("round %d: read on the liveness pipe did not return EOF", round);
        close(alive[0]);
        ends[how]++;
    }
    printf("%s: %d rounds: %d killed, %d exit_group, %d execve, each ended in time\n",
           GUEST_NAME, ROUNDS, ends[0], ends[1], ends[2]);
    pass();
}
