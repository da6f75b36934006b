/*
 * microbench.c - the costs a kernel like stickyos is made of, measured from
 * user space: a syscall, a demand-zero and a copy-on-write page fault, fork
 * (of a small process, of one with N dirtied pages, of one with K futex
 * waiters on distinct pages), munmap, thread creation, a futex handoff
 * between threads, FUTEX_WAIT on a page still shared copy-on-write with a
 * child, a pipe round trip.
 *
 * One line per measurement, `BENCH <name> <value> <unit>`, the median of
 * several runs; tools/run-bench runs it on stickyos and natively and puts
 * the two side by side. Nothing here asserts a speed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 5
#define FUTEX_WAIT_PRIVATE (0 | 128)   /* musl has no <linux/futex.h> */
#define FUTEX_WAKE_PRIVATE (1 | 128)
#define PAGE 4096
#define FAULT_PAGES 512
#define MAX_WAITERS 256
#define WAITER_STACK (16 * 1024)

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, double samples[RUNS], const char *unit)
{
    qsort(samples, RUNS, sizeof samples[0], cmp);
    printf("BENCH %s %.3f %s\n", name, samples[RUNS / 2], unit);
    fflush(stdout);
}

/* ---- the measurements: each returns one sample ---- */

static double syscall_getpid(void)
{
    const int n = 20000;
    uint64_t t = now_ns();
    for (int i = 0; i < n; i++)
        syscall(SYS_getpid);
    return (double)(now_ns() - t) / n;
}

static double demand_zero_fault(void)
{
    char *m = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        exit(1);
    uint64_t t = now_ns();
    for (int i = 0; i < FAULT_PAGES; i++)
        m[i * PAGE] = 1;
    double ns = (double)(now_ns() - t) / FAULT_PAGES;
    munmap(m, FAULT_PAGES * PAGE);
    return ns;
}

static double cow_fault(void)
{
    char *m = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    double *result = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || result == MAP_FAILED)
        exit(1);
    memset(m, 1, FAULT_PAGES * PAGE);
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t t = now_ns();
        for (int i = 0; i < FAULT_PAGES; i++)
            m[i * PAGE] = 2;   /* every page is shared with the parent: a copy each */
        *result = (double)(now_ns() - t) / FAULT_PAGES;
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    double ns = *result;
    munmap(m, FAULT_PAGES * PAGE);
    munmap(result, PAGE);
    return ns;
}

/* A private anonymous mapping of `pages` pages, every page written. */
static char *dirtied(size_t pages)
{
    char *m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        exit(1);
    for (size_t i = 0; i < pages; i++)
        m[i * PAGE] = 1;
    return m;
}

/* fork + child _exit(0) + waitpid, `n` times: microseconds each. */
static double fork_loop(int n)
{
    uint64_t t = now_ns();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0)
            exit(1);
        waitpid(pid, NULL, 0);
    }
    return (double)(now_ns() - t) / n / 1000.0;
}

static double fork_exit_wait(void)
{
    return fork_loop(50);
}

static void *nothing(void *a) { return a; }

static double thread_create_join(void)
{
    const int n = 200;
    uint64_t t = now_ns();
    for (int i = 0; i < n; i++) {
        pthread_t th;
        pthread_create(&th, NULL, nothing, NULL);
        pthread_join(th, NULL);
    }
    return (double)(now_ns() - t) / n / 1000.0;
}

static int baton;   /* 1: the partner's turn, 0: main's */

static void *partner(void *a)
{
    int rounds = (int)(intptr_t)a;
    for (int i = 0; i < rounds; i++) {
        while (__atomic_load_n(&baton, __ATOMIC_ACQUIRE) != 1)
            syscall(SYS_futex, &baton, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        __atomic_store_n(&baton, 0, __ATOMIC_RELEASE);
        syscall(SYS_futex, &baton, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    return NULL;
}

static double futex_handoff(void)
{
    const int n = 2000;
    pthread_t th;
    baton = 0;
    pthread_create(&th, NULL, partner, (void *)(intptr_t)n);
    uint64_t t = now_ns();
    for (int i = 0; i < n; i++) {
        __atomic_store_n(&baton, 1, __ATOMIC_RELEASE);
        syscall(SYS_futex, &baton, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        while (__atomic_load_n(&baton, __ATOMIC_ACQUIRE) != 0)
            syscall(SYS_futex, &baton, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
    }
    double us = (double)(now_ns() - t) / n / 1000.0;
    pthread_join(th, NULL);
    return us;
}

static double pipe_round_trip(void)
{
    const int n = 1000;
    int there[2], back[2];
    if (pipe(there) || pipe(back))
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        for (int i = 0; i < n; i++)
            if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1)
                _exit(1);
        _exit(0);
    }
    char c = 'x';
    uint64_t t = now_ns();
    for (int i = 0; i < n; i++)
        if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
            exit(1);
    double us = (double)(now_ns() - t) / n / 1000.0;
    waitpid(pid, NULL, 0);
    close(there[0]); close(there[1]); close(back[0]); close(back[1]);
    return us;
}

/* fork_exit_wait of a process that has `pages` more dirtied private pages:
 * what fork's page-table copy and exit's teardown cost per page. */
static double fork_dirty(int pages)
{
    char *m = dirtied((size_t)pages);
    double us = fork_loop(pages >= 4096 ? 10 : 20);
    munmap(m, (size_t)pages * PAGE);
    return us;
}

/* munmap of `pages` dirtied private pages (microseconds per call). */
static double munmap_dirty(int pages)
{
    char *m = dirtied((size_t)pages);
    uint64_t t = now_ns();
    munmap(m, (size_t)pages * PAGE);
    return (double)(now_ns() - t) / 1000.0;
}

/* ---- K futex waiters, each on a page of its own ---- */

static int queued;

static void *wait_on(void *word)
{
    __atomic_add_fetch(&queued, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n((int *)word, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

/* fork_exit_wait while `k` threads wait on words in `k` distinct pages. Under
 * stickyos's sticky design each of those pages is pinned, and fork copies it
 * into the child at once instead of sharing it copy-on-write. */
static double fork_pinned(int k)
{
    static pthread_t th[MAX_WAITERS];
    char *pages = dirtied(k > 0 ? (size_t)k : 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WAITER_STACK);
    queued = 0;
    for (int i = 0; i < k; i++) {
        int *word = (int *)(pages + (size_t)i * PAGE);
        *word = 0;
        if (pthread_create(&th[i], &attr, wait_on, word))
            exit(1);
    }
    /* Every waiter has counted itself; a short sleep lets the last ones
     * reach FUTEX_WAIT (one CPU: they run while this thread sleeps). */
    while (__atomic_load_n(&queued, __ATOMIC_ACQUIRE) != k)
        sched_yield();
    struct timespec settle = { 0, 5 * 1000 * 1000 };
    nanosleep(&settle, NULL);

    double us = fork_loop(20);

    for (int i = 0; i < k; i++) {
        int *word = (int *)(pages + (size_t)i * PAGE);
        __atomic_store_n(word, 1, __ATOMIC_RELEASE);
        syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    for (int i = 0; i < k; i++)
        pthread_join(th[i], NULL);
    pthread_attr_destroy(&attr);
    munmap(pages, (k > 0 ? (size_t)k : 1) * PAGE);
    return us;
}

/* FUTEX_WAIT on a word whose page is still shared copy-on-write with a child
 * (the value differs, so it returns EAGAIN at once): what the sticky design's
 * COW break before pinning costs, per page. */
static double futex_wait_cow_shared(void)
{
    char *m = dirtied(FAULT_PAGES);
    int go[2];
    if (pipe(go))
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(go[0], &c, 1);   /* keeps every page shared until the parent is done */
        _exit(0);
    }
    uint64_t t = now_ns();
    for (int i = 0; i < FAULT_PAGES; i++)
        syscall(SYS_futex, m + (size_t)i * PAGE, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
    double ns = (double)(now_ns() - t) / FAULT_PAGES;
    write(go[1], "x", 1);
    waitpid(pid, NULL, 0);
    close(go[0]);
    close(go[1]);
    munmap(m, FAULT_PAGES * PAGE);
    return ns;
}

static const struct {
    const char *name, *unit;
    double (*run)(void);
    double (*run_with)(int);
    int arg;
} benches[] = {
    { "syscall_getpid", "ns", syscall_getpid, NULL, 0 },
    { "page_fault_demand_zero", "ns/page", demand_zero_fault, NULL, 0 },
    { "page_fault_cow_copy", "ns/page", cow_fault, NULL, 0 },
    { "fork_exit_wait", "us", fork_exit_wait, NULL, 0 },
    { "fork_dirty_64", "us", NULL, fork_dirty, 64 },
    { "fork_dirty_256", "us", NULL, fork_dirty, 256 },
    { "fork_dirty_1024", "us", NULL, fork_dirty, 1024 },
    { "fork_dirty_4096", "us", NULL, fork_dirty, 4096 },
    { "munmap_dirty_1024", "us", NULL, munmap_dirty, 1024 },
    { "fork_pinned_0", "us", NULL, fork_pinned, 0 },
    { "fork_pinned_1", "us", NULL, fork_pinned, 1 },
    { "fork_pinned_16", "us", NULL, fork_pinned, 16 },
    { "fork_pinned_256", "us", NULL, fork_pinned, 256 },
    { "futex_wait_cow_shared", "ns/page", futex_wait_cow_shared, NULL, 0 },
    { "thread_create_join", "us", thread_create_join, NULL, 0 },
    { "futex_handoff_round_trip", "us", futex_handoff, NULL, 0 },
    { "pipe_round_trip", "us", pipe_round_trip, NULL, 0 },
};

int main(void)
{
    for (size_t b = 0; b < sizeof benches / sizeof benches[0]; b++) {
        double samples[RUNS];
        for (int r = 0; r < RUNS; r++)
            samples[r] = benches[b].run ? benches[b].run() : benches[b].run_with(benches[b].arg);
        report(benches[b].name, samples, benches[b].unit);
    }
    return 0;
}
