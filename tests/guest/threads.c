/*
 * threads.c - pthreads: mutex counter, condvar producer/consumer, join
 * return values, distinct gettid, distinct __thread variables.
 */
#define GUEST_NAME "threads"
#include "guest.h"

#include <stdlib.h>
#include <sys/syscall.h>

#define NTHREADS 4
#define ITERS 100000
#define NITEMS 1000
#define QCAP 8

static pid_t sys_gettid(void) { return (pid_t)syscall(SYS_gettid); }

/* Absolute CLOCK_REALTIME deadline `sec` seconds from now (for timedwait). */
static struct timespec deadline_in(int sec)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += sec;
    return ts;
}

/* ---- 1. mutex-protected counter ---------------------------------------- */

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static __thread long tls_value = -1;
static __thread int tls_marker;

struct worker {
    int index;
    pid_t tid;
    long tls_seen;
    void *tls_addr;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->tid = sys_gettid();
    if (tls_value != -1)
        fail("thread %d: __thread initial value %ld, expected -1", w->index, tls_value);
    tls_value = 1000 + w->index;
    w->tls_addr = &tls_marker;
    for (int i = 0; i < ITERS; i++) {
        if (pthread_mutex_lock(&counter_lock) != 0)
            fail("thread %d: pthread_mutex_lock", w->index);
        counter++;
        pthread_mutex_unlock(&counter_lock);
        if ((i & 1023) == 0 && tls_value != 1000 + w->index)
            fail("thread %d: __thread value clobbered: %ld", w->index, tls_value);
    }
    w->tls_seen = tls_value;
    /* return value travels through pthread_join */
    return (void *)(intptr_t)(w->index * 7 + 3);
}

static void test_mutex_counter(void)
{
    pthread_t th[NTHREADS];
    struct worker w[NTHREADS];
    memset(w, 0, sizeof w);

    tls_value = 42; /* main thread's copy must not leak into workers */
    for (int i = 0; i < NTHREADS; i++) {
        w[i].index = i;
        int rc = pthread_create(&th[i], NULL, worker_main, &w[i]);
        if (rc != 0)
            fail("pthread_create %d: %s", i, strerror(rc));
    }
    for (int i = 0; i < NTHREADS; i++) {
        void *ret = NULL;
        int rc = pthread_join(th[i], &ret);
        if (rc != 0)
            fail("pthread_join %d: %s", i, strerror(rc));
        expect_eq((intptr_t)ret, i * 7 + 3);
    }
    printf("threads: join return values ok\n");

    expect_eq(counter, (long)NTHREADS * ITERS);
    printf("threads: mutex counter = %ld (expected %ld) ok\n", counter, (long)NTHREADS * ITERS);

    pid_t main_tid = sys_gettid();
    expect_eq(main_tid, getpid());
    for (int i = 0; i < NTHREADS; i++) {
        if (w[i].tid <= 0)
            fail("thread %d: gettid = %d", i, (int)w[i].tid);
        if (w[i].tid == main_tid)
            fail("thread %d: gettid %d equals main thread tid", i, (int)w[i].tid);
        for (int j = 0; j < i; j++)
            if (w[i].tid == w[j].tid)
                fail("threads %d and %d share tid %d", i, j, (int)w[i].tid);
    }
    printf("threads: gettid distinct per thread ok\n");

    expect_eq(tls_value, 42);
    for (int i = 0; i < NTHREADS; i++) {
        expect_eq(w[i].tls_seen, 1000 + i);
        if (w[i].tls_addr == (void *)&tls_marker)
            fail("thread %d: __thread address equals main thread's", i);
        for (int j = 0; j < i; j++)
            if (w[i].tls_addr == w[j].tls_addr)
                fail("threads %d and %d share __thread address %p", i, j, w[i].tls_addr);
    }
    printf("threads: __thread variables distinct per thread ok\n");
}

/* ---- 2. condition-variable producer/consumer --------------------------- */

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER;
static int q_buf[QCAP];
static int q_head, q_count;

static void q_wait(pthread_cond_t *cv, const char *what)
{
    struct timespec dl = deadline_in(5);
    int rc = pthread_cond_timedwait(cv, &q_lock, &dl);
    if (rc == ETIMEDOUT)
        fail("condvar wait for %s timed out", what);
    if (rc != 0)
        fail("pthread_cond_timedwait(%s): %s", what, strerror(rc));
}

static void *producer_main(void *arg)
{
    (void)arg;
    for (int i = 1; i <= NITEMS; i++) {
        pthread_mutex_lock(&q_lock);
        while (q_count == QCAP)
            q_wait(&q_not_full, "not_full");
        q_buf[(q_head + q_count) % QCAP] = i;
        q_count++;
        pthread_cond_signal(&q_not_empty);
        pthread_mutex_unlock(&q_lock);
    }
    return (void *)(intptr_t)NITEMS;
}

static void *consumer_main(void *arg)
{
    long *sum = arg;
    for (int i = 1; i <= NITEMS; i++) {
        pthread_mutex_lock(&q_lock);
        while (q_count == 0)
            q_wait(&q_not_empty, "not_empty");
        int v = q_buf[q_head];
        q_head = (q_head + 1) % QCAP;
        q_count--;
        pthread_cond_signal(&q_not_full);
        pthread_mutex_unlock(&q_lock);
        if (v != i)
            fail("consumer: got item %d, expected %d (FIFO order)", v, i);
        *sum += v;
    }
    return (void *)(intptr_t)NITEMS;
}

static void test_condvar(void)
{
    pthread_t prod, cons;
    long sum = 0;
    int rc = pthread_create(&cons, NULL, consumer_main, &sum);
    if (rc != 0)
        fail("pthread_create consumer: %s", strerror(rc));
    rc = pthread_create(&prod, NULL, producer_main, NULL);
    if (rc != 0)
        fail("pthread_create producer: %s", strerror(rc));
    void *r1 = NULL, *r2 = NULL;
    if ((rc = pthread_join(prod, &r1)) != 0)
        fail("pthread_join producer: %s", strerror(rc));
    if ((rc = pthread_join(cons, &r2)) != 0)
        fail("pthread_join consumer: %s", strerror(rc));
    expect_eq((intptr_t)r1, NITEMS);
    expect_eq((intptr_t)r2, NITEMS);
    expect_eq(sum, (long)NITEMS * (NITEMS + 1) / 2);
    expect_eq(q_count, 0);
    printf("threads: condvar producer/consumer %d items, sum %ld ok\n", NITEMS, sum);
}

int main(void)
{
    start_watchdog(10);
    uint64_t t0 = now_ns();
    test_mutex_counter();
    test_condvar();
    printf("threads: done in %llu ms\n", (unsigned long long)((now_ns() - t0) / 1000000));
    pass();
}
