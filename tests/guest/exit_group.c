// guest: timeout=60
/*
 * exit_group - a process whose threads are blocked forever (FUTEX_WAIT
 * without a timeout, read on an empty pipe, wait4 for a child that sleeps)
 * or spinning in user mode still ends at once when one thread calls exit()
 * (musl's exit is exit_group), with that thread's exit status. Also the
 * same when a thread dies of a fault: the whole process is killed by the
 * signal. Run in children; the parent checks status and time.
 */
#define GUEST_NAME "exit_group"
#include "guest.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int forever;        /* FUTEX_WAIT on it never returns */
static int pipe_fds[2];
volatile uintptr_t null_page = 16;   /* volatile: the compiler cannot see it is NULL */

static void *futex_forever(void *a) { (void)a; for (;;) syscall(SYS_futex, &forever, FUTEX_WAIT, 0, NULL, NULL, 0); return NULL; }
static void *read_forever(void *a) { (void)a; char c; for (;;) (void)read(pipe_fds[0], &c, 1); return NULL; }
static void *spin(void *a) { (void)a; for (;;) __asm__ volatile("" ::: "memory"); return NULL; }

static void *sleep_child_forever(void *a)
{
    (void)a;
    pid_t p = fork();
    if (p == 0) {
        /* The grandchild is orphaned by the exit and reaped by init. */
        struct timespec ts = { 0, 200000000 };
        nanosleep(&ts, NULL);
        _exit(0);
    }
    for (;;) waitpid(p, NULL, 0);
    return NULL;
}

/* In the child: start the blockers, then end the process one way or another. */
static void run(int how)
{
    if (pipe(pipe_fds) != 0)
        _exit(90);
    pthread_t t;
    if (pthread_create(&t, NULL, futex_forever, NULL) || pthread_create(&t, NULL, read_forever, NULL) ||
        pthread_create(&t, NULL, spin, NULL) || pthread_create(&t, NULL, sleep_child_forever, NULL))
        _exit(91);
    struct timespec ts = { 0, 50000000 };   /* let them block */
    nanosleep(&ts, NULL);
    if (how == 0)
        exit(42);
    *(volatile int *)(uintptr_t)null_page = 1;   /* how == 1: a fault kills the process */
    _exit(92);
}

static void check(int how, int want_exit, int want_signal)
{
    /* Every process of the case holds `alive`'s write end: EOF = all are gone,
     * the orphaned grandchild included (init reaps it). */
    int alive[2];
    if (pipe(alive) != 0)
        fail("pipe: %s", strerror(errno));
    fflush(stdout);
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        close(alive[0]);
        run(how);
    }
    close(alive[1]);
    int status;
    if (waitpid(pid, &status, 0) != pid)
        fail("waitpid: %s", strerror(errno));
    uint64_t ms = (now_ns() - t0) / 1000000;
    char c;
    if (read(alive[0], &c, 1) != 0)
        fail("case %d: read on the liveness pipe did not return EOF", how);
    close(alive[0]);
    if (want_signal ? !(WIFSIGNALED(status) && WTERMSIG(status) == want_signal)
                    : !(WIFEXITED(status) && WEXITSTATUS(status) == want_exit))
        fail("case %d: wait status %#x, expected %s %d", how, status, want_signal ? "signal" : "exit",
             want_signal ? want_signal : want_exit);
    printf("%s: case %d ended with status %#x after %llu ms\n", GUEST_NAME, how, status, (unsigned long long)ms);
}

int main(void)
{
    start_watchdog(50);
    check(0, 42, 0);
    check(1, 0, SIGSEGV);
    pass();
}
