// guest: futex=all timeout=60
/*
 * futex_pi - PI futexes as Linux runs them: LOCK_PI takes a free word (it
 * holds the owner's tid), TRYLOCK_PI on a held one is EAGAIN, on one's own
 * EDEADLK, UNLOCK_PI by another thread EPERM; contended, FUTEX_WAITERS is
 * set and each unlock hands the lock to one waiter (its tid in the word
 * before it runs); timeouts on CLOCK_REALTIME (LOCK_PI) and
 * CLOCK_MONOTONIC (LOCK_PI2); a circular wait is EDEADLK; an owner that
 * exits holding the lock gives it to its waiter with FUTEX_OWNER_DIED;
 * WAIT_REQUEUE_PI + CMP_REQUEUE_PI move condition waiters onto the lock
 * (the top waiter takes a free lock at once); a plain waiter is EINVAL for
 * CMP_REQUEUE_PI and a requeue-PI waiter EINVAL for FUTEX_WAKE; musl's
 * PTHREAD_PRIO_INHERIT mutexes work. Plain and private ops throughout.
 */
#define GUEST_NAME "futex_pi"
#include "guest.h"

#include <stdlib.h>
#include <sys/syscall.h>

#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define TID_MASK 0x3fffffffu

static int flags;
static long lock_pi(volatile unsigned *w, const struct timespec *abs) { return futex_raw(w, FUTEX_LOCK_PI | flags, 0, (long)abs, NULL, 0); }
static long unlock_pi(volatile unsigned *w) { return futex_raw(w, FUTEX_UNLOCK_PI | flags, 0, 0, NULL, 0); }
static long trylock_pi(volatile unsigned *w) { return futex_raw(w, FUTEX_TRYLOCK_PI | flags, 0, 0, NULL, 0); }
static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

static volatile unsigned lockw, lock2, condw;
static volatile int counter, in_section, order_ok = 1, ready;

static void *contender(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 50; i++) {
        long r = lock_pi(&lockw, NULL);
        if (r != 0)
            fail("contender: LOCK_PI: %s", errno_str(r));
        if ((lockw & TID_MASK) != (unsigned)tid())
            order_ok = 0;
        if (__atomic_fetch_add(&in_section, 1, __ATOMIC_SEQ_CST) != 0)
            order_ok = 0;
        counter++;
        if (i % 10 == 0)
            sched_yield();
        __atomic_fetch_sub(&in_section, 1, __ATOMIC_SEQ_CST);
        if ((lockw & TID_MASK) != (unsigned)tid())
            order_ok = 0;
        /* User-space fast path first, as libcs do; the kernel only when WAITERS is set. */
        unsigned me = (unsigned)tid();
        if (!__atomic_compare_exchange_n(&lockw, &me, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            r = unlock_pi(&lockw);
            if (r != 0)
                fail("contender: UNLOCK_PI: %s (word 0x%x)", errno_str(r), lockw);
        }
    }
    return NULL;
}

static volatile long other_result;
static void *try_other(void *arg)
{
    (void)arg;
    other_result = trylock_pi(&lockw);
    if (other_result == 0)
        return NULL;
    long r = unlock_pi(&lockw);
    other_result = other_result * 1000 + (r == -EPERM ? 1 : 0);
    return NULL;
}

/* Holds lock2, waits on lockw (held by main): main's LOCK_PI of lock2 closes the circle. */
static void *deadlocker(void *arg)
{
    (void)arg;
    if (lock_pi(&lock2, NULL) != 0)
        fail("deadlocker: lock2");
    ready = 1;
    long r = lock_pi(&lockw, NULL);
    if (r != 0)
        fail("deadlocker: LOCK_PI lockw: %s", errno_str(r));
    unlock_pi(&lockw);
    unlock_pi(&lock2);
    return NULL;
}

static void *dies_holding(void *arg)
{
    (void)arg;
    if (lock_pi(&lock2, NULL) != 0)
        fail("dies_holding: lock");
    ready = 1;
    sleep_ms(600);
    return NULL;   /* exits owning lock2 */
}

static volatile long rq_result[4];
static void *requeue_waiter(void *arg)
{
    int i = (int)(intptr_t)arg;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    long r = futex_raw(&condw, FUTEX_WAIT_REQUEUE_PI | flags, 0, 0, &lock2, 0);
    rq_result[i] = r;
    if (r == 0) {
        if ((lock2 & TID_MASK) != (unsigned)tid())
            rq_result[i] = -999;
        counter++;
        unlock_pi(&lock2);
    }
    return NULL;
}

static void *plain_waiter(void *arg)
{
    (void)arg;
    ready = 1;
    other_result = futex_raw(&condw, FUTEX_WAIT | flags, 0, 0, NULL, 0);
    return NULL;
}

static void settle(int n)
{
    uint64_t t0 = now_ns();
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < n)
        if (ms_since(t0) > 5000)
            fail("threads did not start");
    sleep_ms(100);
}

static void abs_in(clockid_t c, long ms, struct timespec *ts)
{
    clock_gettime(c, ts);
    ts->tv_nsec += (ms % 1000) * 1000000L;
    ts->tv_sec += ms / 1000 + ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

static void round_for(int fl)
{
    flags = fl;
    pthread_t t[4];
    lockw = lock2 = condw = 0;
    counter = 0;

    /* Uncontended, errors. */
    expect_eq(lock_pi(&lockw, NULL), 0);
    expect_eq(lockw, (unsigned)tid());
    expect_eq(lock_pi(&lockw, NULL), -EDEADLK);
    expect_eq(trylock_pi(&lockw), -EDEADLK);
    pthread_create(&t[0], NULL, try_other, NULL);
    pthread_join(t[0], NULL);
    expect_eq(other_result, -EAGAIN * 1000 + 1);   /* TRYLOCK: EAGAIN; UNLOCK by a non-owner: EPERM */
    expect_eq(unlock_pi(&lockw), 0);
    expect_eq(lockw, 0);
    printf("%s/%s: uncontended lock, EDEADLK, EAGAIN, EPERM\n", GUEST_NAME, flag_name(fl));

    /* Timeouts: LOCK_PI on CLOCK_REALTIME, LOCK_PI2 on CLOCK_MONOTONIC. */
    lockw = 0x3fff0000u | 1;   /* held by a thread that is not there: LOCK_PI says ESRCH */
    expect_eq(lock_pi(&lockw, NULL), -ESRCH);
    ready = 0;   /* before the thread exists: on another CPU it may say ready at once */
    pthread_create(&t[0], NULL, dies_holding, NULL);   /* holds lock2 for 600 ms, then exits */
    settle(1);
    struct timespec ts;
    abs_in(CLOCK_REALTIME, 50, &ts);
    uint64_t t0 = now_ns();
    expect_eq(lock_pi(&lock2, &ts), -ETIMEDOUT);
    expect_true(ms_since(t0) >= 40);
    abs_in(CLOCK_MONOTONIC, 50, &ts);
    expect_eq(futex_raw(&lock2, FUTEX_LOCK_PI2 | flags, 0, (long)&ts, NULL, 0), -ETIMEDOUT);
    /* Its owner exits holding it: the waiter gets it, with OWNER_DIED. */
    long r = lock_pi(&lock2, NULL);
    expect_eq(r, 0);
    expect_eq(lock2 & TID_MASK, (unsigned)tid());
    expect_true(lock2 & FUTEX_OWNER_DIED);
    pthread_join(t[0], NULL);
    lock2 = 0;
    printf("%s/%s: ESRCH, timeouts on both clocks, a dead owner's lock passed on with OWNER_DIED\n",
           GUEST_NAME, flag_name(fl));

    /* Contended: 4 threads x 50 rounds, mutual exclusion, handoff to the waiter. */
    ready = 0;
    lockw = 0;
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, contender, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    expect_eq(counter, 200);
    expect_eq(order_ok, 1);
    expect_eq(lockw, 0);
    printf("%s/%s: 4 contenders, 200 critical sections, each unlock handed over\n", GUEST_NAME, flag_name(fl));

    /* A circle of PI waits is EDEADLK. */
    expect_eq(lock_pi(&lockw, NULL), 0);
    ready = 0;
    pthread_create(&t[0], NULL, deadlocker, NULL);
    settle(1);
    expect_eq(lock_pi(&lock2, NULL), -EDEADLK);
    expect_true(lockw & FUTEX_WAITERS);
    expect_eq(unlock_pi(&lockw), 0);
    pthread_join(t[0], NULL);
    expect_eq(lockw, 0);
    expect_eq(lock2, 0);
    printf("%s/%s: circular wait: EDEADLK\n", GUEST_NAME, flag_name(fl));

    /* Requeue PI with the lock held: every waiter goes onto it, each unlock passes it on. */
    counter = 0;
    ready = 0;
    expect_eq(lock_pi(&lock2, NULL), 0);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, requeue_waiter, (void *)(intptr_t)i);
    settle(3);
    condw = 1;
    long n = futex_raw(&condw, FUTEX_CMP_REQUEUE_PI | flags, 1, INT_MAX, &lock2, 1);
    expect_eq(n, 3);
    expect_true(lock2 & FUTEX_WAITERS);
    expect_eq(unlock_pi(&lock2), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++)
        expect_eq(rq_result[i], 0);
    expect_eq(counter, 3);
    expect_eq(lock2, 0);
    /* With the lock free: the top waiter takes it at once. */
    condw = 0;
    ready = 0;
    pthread_create(&t[0], NULL, requeue_waiter, (void *)0);
    settle(1);
    condw = 1;
    expect_eq(futex_raw(&condw, FUTEX_CMP_REQUEUE_PI | flags, 1, 0, &lock2, 1), 1);
    pthread_join(t[0], NULL);
    expect_eq(rq_result[0], 0);
    expect_eq(lock2, 0);
    printf("%s/%s: WAIT_REQUEUE_PI + CMP_REQUEUE_PI onto a held and a free lock\n", GUEST_NAME, flag_name(fl));

    /* Mismatched ops. */
    condw = 0;
    ready = 0;
    pthread_create(&t[0], NULL, plain_waiter, NULL);
    settle(1);
    expect_eq(futex_raw(&condw, FUTEX_CMP_REQUEUE_PI | flags, 1, 0, &lock2, 0), -EINVAL);
    expect_eq(futex_wake((volatile int *)&condw, 1, fl), 1);
    pthread_join(t[0], NULL);
    expect_eq(other_result, 0);
    ready = 0;
    pthread_create(&t[0], NULL, requeue_waiter, (void *)0);
    settle(1);
    expect_eq(futex_wake((volatile int *)&condw, 1, fl), -EINVAL);
    expect_eq(futex_raw(&condw, FUTEX_CMP_REQUEUE | flags, 1, 0, &lock2, 0), -EINVAL);
    expect_eq(futex_raw(&condw, FUTEX_CMP_REQUEUE_PI | flags, 2, 0, &lock2, 0), -EINVAL);   /* nr_wake must be 1 */
    expect_eq(futex_raw(&condw, FUTEX_CMP_REQUEUE_PI | flags, 1, 0, &condw, 0), -EINVAL);   /* same word */
    expect_eq(futex_raw(&condw, FUTEX_CMP_REQUEUE_PI | flags, 1, 0, &lock2, 0), 1);
    pthread_join(t[0], NULL);
    expect_eq(rq_result[0], 0);
    printf("%s/%s: mismatched ops are EINVAL\n", GUEST_NAME, flag_name(fl));
}

static pthread_mutex_t pim;
static void *pim_user(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        if (pthread_mutex_lock(&pim) != 0)
            fail("pthread_mutex_lock(PI)");
        counter++;
        if (i % 20 == 0)
            sched_yield();
        pthread_mutex_unlock(&pim);
    }
    return NULL;
}

int main(void)
{
    start_watchdog(50);
    round_for(0);
    round_for(FUTEX_PRIVATE_FLAG);

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    expect_eq(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT), 0);
    expect_eq(pthread_mutex_init(&pim, &a), 0);
    counter = 0;
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, pim_user, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    expect_eq(counter, 600);
    expect_eq(pthread_mutex_lock(&pim), 0);
    expect_eq(pthread_mutex_trylock(&pim), EBUSY);
    expect_eq(pthread_mutex_unlock(&pim), 0);
    printf("%s: PTHREAD_PRIO_INHERIT mutex, 3 threads x 200\n", GUEST_NAME);
    pass();
}
