/*
 * futex_vfork - a vfork child shares its parent's memory, so a private
 * futex wake from the child reaches a thread of the parent waiting on the
 * same word (Linux keys private futexes by the address space). The child
 * runs while the vforking thread is suspended; the parent's other thread
 * waits with a 5 s deadline and must be woken, not time out.
 */
// guest: timeout=60 futex=all
#define GUEST_NAME "futex_vfork"
#include "guest.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile int word;
static volatile int waiting;
static long wait_result;
static int wait_errno;

static void *waiter(void *arg)
{
    (void)arg;
    struct timespec ts = { .tv_sec = 5 };
    waiting = 1;
    wait_result = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    wait_errno = errno;
    return NULL;
}

int main(void)
{
    start_watchdog(50);
    pthread_t t;
    expect_eq(pthread_create(&t, NULL, waiter, NULL), 0);
    while (!waiting) usleep(1000);
    usleep(50000);   /* the waiter is asleep in FUTEX_WAIT by now */
    pid_t pid = vfork();
    if (pid == 0) {
        word = 1;
        long woken = syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        _exit(woken == 1 ? 0 : 1);
    }
    expect_true(pid > 0);
    int status;
    expect_eq(waitpid(pid, &status, 0), pid);
    expect_eq(pthread_join(t, NULL), 0);
    if (wait_result != 0) fail("lost wakeup: the parent's waiter returned %ld (%s), not woken by the vfork child",
                               wait_result, strerror(wait_errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("the vfork child's FUTEX_WAKE woke nobody");
    printf("futex_vfork: the vfork child's private wake reached the parent's waiter\n");
    pass();
}
