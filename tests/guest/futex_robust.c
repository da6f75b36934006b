// guest: futex=all timeout=60
/*
 * futex_robust - robust lists (set_robust_list): a thread that exits
 * holding robust mutexes (musl's PTHREAD_MUTEX_ROBUST, plain and
 * PTHREAD_PRIO_INHERIT) leaves them marked FUTEX_OWNER_DIED and a waiter
 * blocked on one is woken and gets EOWNERDEAD; pthread_mutex_consistent
 * makes it usable again. Across fork: a process-shared robust mutex in
 * MAP_SHARED memory held by a child that _exits (its owner is gone with the
 * process) wakes the parent blocked on it with EOWNERDEAD. get_robust_list
 * returns what set_robust_list stored; a bad head size is EINVAL. A child
 * that execs while holding one releases it the same way (the parent gets
 * EOWNERDEAD while the child's new image still runs).
 */
#define GUEST_NAME "futex_robust"
#include "guest.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static pthread_mutex_t *m;
static volatile int holding;

static void *hold_and_exit(void *arg)
{
    (void)arg;
    if (pthread_mutex_lock(m) != 0)
        fail("lock in the dying thread");
    holding = 1;
    sleep_ms(200);   /* long enough for the main thread to block on it */
    return NULL;     /* exits owning the mutex */
}

static void init_robust(pthread_mutex_t *mx, int pshared, int pi)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pshared)
        pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (pi)
        pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    if (pthread_mutex_init(mx, &a) != 0)
        fail("pthread_mutex_init");
}

static void owner_dies_in_thread(int pi)
{
    static pthread_mutex_t mx;
    m = &mx;
    init_robust(m, 0, pi);
    holding = 0;
    pthread_t t;
    pthread_create(&t, NULL, hold_and_exit, NULL);
    while (!holding)
        sleep_ms(1);
    uint64_t t0 = now_ns();
    int r = pthread_mutex_lock(m);   /* blocks until the owner's exit */
    if (r != EOWNERDEAD)
        fail("%s: lock after the owner died: %d (%s), expected EOWNERDEAD", pi ? "PI" : "plain", r, strerror(r));
    expect_true(ms_since(t0) >= 100);
    expect_eq(pthread_mutex_consistent(m), 0);
    expect_eq(pthread_mutex_unlock(m), 0);
    expect_eq(pthread_mutex_lock(m), 0);
    expect_eq(pthread_mutex_unlock(m), 0);
    pthread_join(t, NULL);
    printf("%s: robust %s mutex: the waiter got EOWNERDEAD when its owner exited\n", GUEST_NAME,
           pi ? "PI" : "plain");
}

static char *self_path;

static void owner_dies_in_child(int pi, int by_exec)
{
    pthread_mutex_t *mx = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mx == MAP_FAILED)
        fail("mmap");
    init_robust(mx, 1, pi);
    int ready[2];
    if (pipe(ready) != 0)
        fail("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        if (pthread_mutex_lock(mx) != 0)
            _exit(2);
        if (write(ready[1], "r", 1) != 1)
            _exit(3);
        sleep_ms(200);
        if (by_exec) {
            char *args[] = { self_path, "exec-sleep", NULL };
            execv(self_path, args);
            _exit(4);
        }
        _exit(0);   /* dies owning it */
    }
    char c;
    if (read(ready[0], &c, 1) != 1)
        fail("child died early");
    int r = pthread_mutex_lock(mx);
    if (r != EOWNERDEAD)
        fail("%s, across fork: lock after the child died: %d (%s), expected EOWNERDEAD", pi ? "PI" : "plain",
             r, strerror(r));
    expect_eq(pthread_mutex_consistent(mx), 0);
    expect_eq(pthread_mutex_unlock(mx), 0);
    expect_eq(reap(pid, "owner child"), 0);
    close(ready[0]);
    close(ready[1]);
    munmap(mx, GUEST_PAGE);
    printf("%s: process-shared robust %s mutex: a child's %s gives the parent EOWNERDEAD\n", GUEST_NAME,
           pi ? "PI" : "plain", by_exec ? "execve" : "death");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-sleep") == 0) {
        sleep_ms(300);   /* the new image outlives the parent's EOWNERDEAD */
        return 0;
    }
    self_path = argv[0];
    start_watchdog(50);
    owner_dies_in_thread(0);
    owner_dies_in_thread(1);
    owner_dies_in_child(0, 0);
    owner_dies_in_child(1, 0);
    owner_dies_in_child(0, 1);
    owner_dies_in_child(1, 1);

    void *head = NULL;
    size_t len = 0;
    expect_eq(syscall(SYS_get_robust_list, 0, &head, &len), 0);
    expect_eq(len, 24);
    expect_true(head != NULL);   /* musl registers one per thread */
    expect_eq(syscall(SYS_set_robust_list, head, 23), -1);
    expect_eq(errno, EINVAL);
    expect_eq(syscall(SYS_get_robust_list, 999999, &head, &len), -1);
    expect_eq(errno, ESRCH);
    printf("%s: get_robust_list, set_robust_list EINVAL, ESRCH\n", GUEST_NAME);
    pass();
}
