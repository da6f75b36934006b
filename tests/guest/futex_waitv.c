// guest: futex=all timeout=60
/*
 * futex_waitv - futex_waitv(2) (449): a thread waits on 8 words at once
 * (private memory, plain and PRIVATE entries) and a FUTEX_WAKE of any one
 * of them returns that word's index; a value that differs is EAGAIN, an
 * absolute deadline on CLOCK_MONOTONIC or CLOCK_REALTIME is ETIMEDOUT;
 * flags other than FUTEX_32 (+ FUTEX_PRIVATE_FLAG), a misaligned or NULL
 * word, a nonzero reserved field, 0 or 129 entries and a bad clock are
 * EINVAL or EFAULT as on Linux; words in MAP_SHARED memory are woken from
 * another process; a handled signal interrupts the wait (EINTR without
 * SA_RESTART). Leaves no pins behind (the runner's accounting).
 */
#define GUEST_NAME "futex_waitv"
#include "guest.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define FUTEX_32 2

struct futex_waitv { uint64_t val, uaddr; uint32_t flags, reserved; };

static long waitv(struct futex_waitv *w, unsigned n, const struct timespec *ts, int clock)
{
    long r = syscall(SYS_futex_waitv, w, n, 0, ts, clock);
    return r == -1 ? -errno : r;
}

static volatile int words[8][16];   /* 64 bytes apart */
static struct futex_waitv vec[8];
static volatile long result;
static volatile int started;

static void *waiter(void *arg)
{
    (void)arg;
    started = 1;
    result = waitv(vec, 8, NULL, 0);
    return NULL;
}

static void abs_in(clockid_t c, long ms, struct timespec *ts)
{
    clock_gettime(c, ts);
    ts->tv_nsec += (ms % 1000) * 1000000L;
    ts->tv_sec += ms / 1000 + ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

static void on_usr1(int s) { (void)s; }

int main(void)
{
    start_watchdog(50);
    for (int i = 0; i < 8; i++) {
        vec[i].uaddr = (uintptr_t)&words[i][0];
        vec[i].val = 0;
        vec[i].flags = FUTEX_32 | (i & 1 ? FUTEX_PRIVATE_FLAG : 0);
        vec[i].reserved = 0;
    }
    /* Wake each word in turn: its index comes back. */
    for (int k = 0; k < 8; k++) {
        pthread_t t;
        started = 0;
        result = -1;
        pthread_create(&t, NULL, waiter, NULL);
        while (!started)
            sleep_ms(1);
        sleep_ms(50);
        long n = futex_wake(&words[k][0], 1, k & 1 ? FUTEX_PRIVATE_FLAG : 0);
        pthread_join(t, NULL);
        if (n != 1 || result != k)
            fail("wake of word %d: FUTEX_WAKE returned %ld, futex_waitv %ld", k, n, result);
    }
    printf("%s: a wake of each of 8 words returns its index\n", GUEST_NAME);

    words[5][0] = 1;
    expect_eq(waitv(vec, 8, NULL, 0), -EAGAIN);
    words[5][0] = 0;
    struct timespec ts;
    abs_in(CLOCK_MONOTONIC, 50, &ts);
    uint64_t t0 = now_ns();
    expect_eq(waitv(vec, 8, &ts, CLOCK_MONOTONIC), -ETIMEDOUT);
    expect_true(ms_since(t0) >= 40);
    abs_in(CLOCK_REALTIME, 50, &ts);
    expect_eq(waitv(vec, 8, &ts, CLOCK_REALTIME), -ETIMEDOUT);
    expect_eq(waitv(vec, 8, &ts, CLOCK_BOOTTIME), -EINVAL);
    printf("%s: EAGAIN, ETIMEDOUT on MONOTONIC and REALTIME, EINVAL for another clock\n", GUEST_NAME);

    abs_in(CLOCK_MONOTONIC, 10, &ts);
    expect_eq(waitv(vec, 0, &ts, CLOCK_MONOTONIC), -EINVAL);
    expect_eq(waitv(vec, 129, &ts, CLOCK_MONOTONIC), -EINVAL);
    expect_eq(syscall(SYS_futex_waitv, vec, 8, 1, &ts, CLOCK_MONOTONIC), -1);
    expect_eq(errno, EINVAL);
    vec[3].flags = FUTEX_PRIVATE_FLAG;   /* no size */
    expect_eq(waitv(vec, 8, &ts, CLOCK_MONOTONIC), -EINVAL);
    vec[3].flags = FUTEX_32;
    vec[3].reserved = 1;
    expect_eq(waitv(vec, 8, &ts, CLOCK_MONOTONIC), -EINVAL);
    vec[3].reserved = 0;
    vec[3].uaddr += 1;
    expect_eq(waitv(vec, 8, &ts, CLOCK_MONOTONIC), -EINVAL);
    vec[3].uaddr = 0;
    expect_eq(waitv(vec, 8, &ts, CLOCK_MONOTONIC), -EFAULT);
    vec[3].uaddr = (uintptr_t)&words[3][0];
    expect_eq(waitv((void *)8, 8, &ts, CLOCK_MONOTONIC), -EFAULT);
    printf("%s: EINVAL and EFAULT cases\n", GUEST_NAME);

    /* Shared words, woken by another process. */
    volatile int *shared = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        fail("mmap");
    struct futex_waitv sv[3];
    for (int i = 0; i < 3; i++)
        sv[i] = (struct futex_waitv){ .val = 0, .uaddr = (uintptr_t)&shared[16 * i], .flags = FUTEX_32 };
    pid_t pid = fork();
    if (pid == 0) {
        sleep_ms(200);
        shared[32] = 1;
        _exit(futex_wake(&shared[32], 1, 0) == 1 ? 0 : 1);
    }
    expect_eq(waitv(sv, 3, NULL, 0), 2);
    expect_eq(reap(pid, "waker child"), 0);
    printf("%s: MAP_SHARED words woken from a child process\n", GUEST_NAME);

    /* A handled signal without SA_RESTART: EINTR. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    started = 0;
    pthread_create(&t, NULL, waiter, NULL);
    while (!started)
        sleep_ms(1);
    sleep_ms(50);
    pthread_kill(t, SIGUSR1);
    pthread_join(t, NULL);
    expect_eq(result, -EINTR);
    printf("%s: a handled signal: EINTR\n", GUEST_NAME);
    pass();
}
