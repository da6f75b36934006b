/*
 * microbench.c - the costs a kernel like stickyos is made of, measured from
 * user space: a syscall, a demand-zero and a copy-on-write page fault, fork,
 * thread creation, a futex handoff between threads, a pipe round trip.
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

static double fork_exit_wait(void)
{
    const int n = 50;
    uint64_t t = now_ns();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        waitpid(pid, NULL, 0);
    }
    return (double)(now_ns() - t) / n / 1000.0;
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

static const struct {
    const char *name, *unit;
    double (*run)(void);
} benches[] = {
    { "syscall_getpid", "ns", syscall_getpid },
    { "page_fault_demand_zero", "ns/page", demand_zero_fault },
    { "page_fault_cow_copy", "ns/page", cow_fault },
    { "fork_exit_wait", "us", fork_exit_wait },
    { "thread_create_join", "us", thread_create_join },
    { "futex_handoff_round_trip", "us", futex_handoff },
    { "pipe_round_trip", "us", pipe_round_trip },
};

int main(void)
{
    for (size_t b = 0; b < sizeof benches / sizeof benches[0]; b++) {
        double samples[RUNS];
        for (int r = 0; r < RUNS; r++)
            samples[r] = benches[b].run();
        report(benches[b].name, samples, benches[b].unit);
    }
    return 0;
}
