// guest: timeout=60
/*
 * signal_cancel - pthread_cancel, which musl implements with a signal
 * (SIGCANCEL = 33) whose handler unwinds the target at a cancellation point:
 * threads blocked in pthread_cond_wait, read, nanosleep and sem_wait (a
 * futex) are cancelled (PTHREAD_CANCELED, cleanup handlers run), an
 * asynchronously cancellable thread spinning in user mode is cancelled, and
 * a thread with cancellation disabled is not until it enables it. Also
 * sigaltstack's rules: EPERM while on the stack, ENOMEM below MINSIGSTKSZ,
 * EINVAL for bad flags, SS_ONSTACK reported inside the handler, SS_DISABLE.
 */
#define GUEST_NAME "signal_cancel"
#include "guest.h"

#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static volatile int cleanups, started;
static int fds[2];
static sem_t sem;

static void cleanup(void *arg) { (void)arg; __atomic_fetch_add(&cleanups, 1, __ATOMIC_SEQ_CST); }
static void unlock(void *arg) { pthread_mutex_unlock(arg); }

static void *in_cond_wait(void *a)
{
    (void)a;
    pthread_cleanup_push(cleanup, NULL);
    pthread_mutex_lock(&m);
    pthread_cleanup_push(unlock, &m);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    for (;;)
        pthread_cond_wait(&cv, &m);
    pthread_cleanup_pop(1);
    pthread_cleanup_pop(1);
    return NULL;
}

static void *in_read(void *a)
{
    (void)a;
    char c;
    pthread_cleanup_push(cleanup, NULL);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    for (;;)
        if (read(fds[0], &c, 1) < 0)
            break;
    pthread_cleanup_pop(1);
    return NULL;
}

static void *in_sleep(void *a)
{
    (void)a;
    pthread_cleanup_push(cleanup, NULL);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        struct timespec ts = { 30, 0 };
        nanosleep(&ts, NULL);
    }
    pthread_cleanup_pop(1);
    return NULL;
}

static void *in_sem_wait(void *a)
{
    (void)a;
    pthread_cleanup_push(cleanup, NULL);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    for (;;)
        sem_wait(&sem);
    pthread_cleanup_pop(1);
    return NULL;
}

static volatile unsigned long spins;
static void *spinning_async(void *a)
{
    (void)a;
    pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    for (;;)
        spins++;
    return NULL;
}

static volatile int enable_now;
static void *disabled(void *a)
{
    (void)a;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    while (!enable_now)
        sleep_ms(5);   /* nanosleep is a cancellation point, but disabled */
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    pthread_testcancel();
    return (void *)1;
}

static void cancel_one(const char *what, void *(*fn)(void *))
{
    pthread_t t;
    started = 0;
    int before = cleanups;
    if (pthread_create(&t, NULL, fn, NULL) != 0)
        fail("pthread_create");
    while (!started)
        sleep_ms(1);
    sleep_ms(100);
    expect_eq(pthread_cancel(t), 0);
    void *ret = NULL;
    expect_eq(pthread_join(t, &ret), 0);
    if (ret != PTHREAD_CANCELED)
        fail("%s: join returned %p, not PTHREAD_CANCELED", what, ret);
    if (fn != spinning_async && cleanups != before + 1)
        fail("%s: %d cleanup handlers ran, expected 1", what, cleanups - before);
    printf("%s: cancelled a thread in %s\n", GUEST_NAME, what);
}

static volatile int alt_flags = -1, eperm = 0;
static char *alt;
static void on_usr1(int sig)
{
    (void)sig;
    stack_t now, other = { .ss_sp = alt, .ss_size = 65536, .ss_flags = 0 };
    sigaltstack(NULL, &now);
    alt_flags = now.ss_flags;
    if (sigaltstack(&other, NULL) == -1 && errno == EPERM)
        eperm = 1;
}

int main(void)
{
    start_watchdog(50);
    if (pipe(fds) != 0 || sem_init(&sem, 0, 0) != 0)
        fail("setup");
    cancel_one("pthread_cond_wait", in_cond_wait);
    pthread_mutex_lock(&m);   /* the cleanup handler unlocked it */
    pthread_mutex_unlock(&m);
    cancel_one("read(pipe)", in_read);
    cancel_one("nanosleep", in_sleep);
    cancel_one("sem_wait", in_sem_wait);
    cancel_one("a user-mode loop (asynchronous)", spinning_async);

    pthread_t t;
    started = 0;
    pthread_create(&t, NULL, disabled, NULL);
    while (!started)
        sleep_ms(1);
    pthread_cancel(t);
    sleep_ms(100);
    enable_now = 1;
    void *ret;
    pthread_join(t, &ret);
    expect_true(ret == PTHREAD_CANCELED);
    printf("%s: cancellation disabled, then enabled: cancelled at pthread_testcancel\n", GUEST_NAME);

    /* sigaltstack rules. */
    alt = malloc(65536);
    stack_t ss = { .ss_sp = alt, .ss_size = 1024, .ss_flags = 0 }, old;
    errno = 0;
    expect_eq(sigaltstack(&ss, NULL), -1);
    expect_eq(errno, ENOMEM);
    ss.ss_size = 65536;
    ss.ss_flags = 0x40;
    expect_eq(sigaltstack(&ss, NULL), -1);
    expect_eq(errno, EINVAL);
    ss.ss_flags = 0;
    expect_eq(sigaltstack(&ss, NULL), 0);
    expect_eq(sigaltstack(NULL, &old), 0);
    expect_true(old.ss_sp == alt && old.ss_size == 65536 && old.ss_flags == 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    expect_eq(alt_flags, SS_ONSTACK);
    expect_eq(eperm, 1);
    ss.ss_flags = SS_DISABLE;
    expect_eq(sigaltstack(&ss, NULL), 0);
    sigaltstack(NULL, &old);
    expect_eq(old.ss_flags, SS_DISABLE);
    alt_flags = -1;
    raise(SIGUSR1);   /* SA_ONSTACK without an alternate stack: the normal stack */
    expect_eq(alt_flags, SS_DISABLE);
    printf("%s: sigaltstack: ENOMEM, EINVAL, SS_ONSTACK inside, EPERM on it, SS_DISABLE\n", GUEST_NAME);
    pass();
}
