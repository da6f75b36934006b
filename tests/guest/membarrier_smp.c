/*
 * membarrier_smp - membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) is a barrier
 * on every CPU that runs a thread of the process, so a fast path with only a
 * compiler barrier pairs with a slow path that calls it (as liburcu and
 * userspace RCU-style code use it). The store-buffering litmus test: thread A
 * stores x then loads y with a compiler barrier between; the main thread
 * stores y, calls membarrier, loads x. Both loads seeing 0 is forbidden.
 * The same rounds with a compiler barrier in place of membarrier show how
 * often the machine reorders (printed; x86 does, through its store buffer),
 * which is what the call must prevent. The call must also not deadlock
 * against TLB shootdowns: a thread maps and unmaps pages (each unmap
 * interrupts the other CPUs running the process) while membarrier runs.
 * And the CPU count: sched_getaffinity, sysconf and
 * /sys/devices/system/cpu/online agree, and getcpu shows spinning threads on
 * more than one CPU when there is more than one.
 */
// guest: timeout=120
#define GUEST_NAME "membarrier_smp"
#include "guest.h"

#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define MEMBARRIER_CMD_PRIVATE_EXPEDITED 8
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED 16

enum { Rounds = 4000 };

static volatile int x, y, r1;
static volatile int start_round, done_round;

#define compiler_barrier() __asm__ volatile("" ::: "memory")

static volatile int arrived;

/* Both threads leave round i together: each arrives, then waits for the other. */
static void meet(int i)
{
    __atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
    while (arrived < 2 * i)
        ;
}

static void *fast_path(void *arg)
{
    int rounds = *(int *)arg;
    for (int i = 1; i <= rounds; i++) {
        meet(i);
        x = 1;
        compiler_barrier();
        r1 = y;
        done_round = i;
        while (start_round != i)
            ;
    }
    return NULL;
}

/* Both loads 0: in how many rounds of `rounds` (the slow path calls membarrier if `barrier`). */
static int forbidden_outcomes(int rounds, int barrier)
{
    pthread_t t;
    int n = rounds, seen = 0;
    start_round = done_round = arrived = 0;
    x = y = 0;
    expect_eq(pthread_create(&t, NULL, fast_path, &n), 0);
    for (int i = 1; i <= rounds; i++) {
        meet(i);
        y = 1;
        if (barrier)
            expect_eq(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), 0);
        else
            compiler_barrier();
        int r2 = x;
        while (done_round != i)
            ;
        if (r1 == 0 && r2 == 0)
            seen++;
        x = y = 0;
        r1 = -1;
        start_round = i;   /* the next round's stores start from zeros */
    }
    expect_eq(pthread_join(t, NULL), 0);
    return seen;
}

static volatile int stop_threads;

static void *map_unmap(void *arg)
{
    long *rounds = arg;
    while (!stop_threads) {
        char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            fail("mmap: %s", strerror(errno));
        for (int i = 0; i < 8; i++)
            p[i * 4096] = (char)i;
        if (munmap(p, 8 * 4096) != 0)
            fail("munmap: %s", strerror(errno));
        (*rounds)++;
    }
    return NULL;
}

/* Until both have done enough (or 30 s): membarrier calls while the mapper's munmaps shoot down TLBs. */
static void test_membarrier_vs_shootdowns(void)
{
    pthread_t mapper;
    long maps = 0;
    int calls = 0;
    stop_threads = 0;
    expect_eq(pthread_create(&mapper, NULL, map_unmap, &maps), 0);
    uint64_t t0 = now_ns();
    while ((calls < 2000 || maps < 200) && ms_since(t0) < 30000) {
        expect_eq(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), 0);
        calls++;
    }
    stop_threads = 1;
    expect_eq(pthread_join(mapper, NULL), 0);
    printf("membarrier_smp: %d calls while another thread mapped and unmapped %ld times\n", calls, maps);
}

static volatile int seen_cpus[64];

static void *where(void *arg)
{
    (void)arg;
    uint64_t t0 = now_ns();
    while (!stop_threads && ms_since(t0) < 5000) {
        unsigned cpu;
        if (syscall(SYS_getcpu, &cpu, NULL, NULL) == 0 && cpu < 64)
            seen_cpus[cpu] = 1;
    }
    return NULL;
}

/* Threads that spin are spread over the CPUs: getcpu names more than one. */
static void test_getcpu_spread(long cpus)
{
    enum { Threads = 4 };
    pthread_t t[Threads];
    stop_threads = 0;
    for (int i = 0; i < Threads; i++)
        expect_eq(pthread_create(&t[i], NULL, where, NULL), 0);
    uint64_t t0 = now_ns();
    int distinct = 0;
    while (ms_since(t0) < 5000) {
        distinct = 0;
        for (int i = 0; i < 64; i++)
            distinct += seen_cpus[i];
        if (distinct >= 2)
            break;
        usleep(1000);
    }
    stop_threads = 1;
    for (int i = 0; i < Threads; i++)
        expect_eq(pthread_join(t[i], NULL), 0);
    for (int i = (int)cpus; i < 64; i++)
        if (seen_cpus[i])
            fail("getcpu said CPU %d of %ld", i, cpus);
    if (distinct < 2)
        fail("%d spinning threads all ran on one CPU of %ld (getcpu)", Threads, cpus);
    printf("membarrier_smp: spinning threads seen on %d CPUs\n", distinct);
}

static void test_cpu_count(long cpus)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    expect_eq(sched_getaffinity(0, sizeof set, &set), 0);
    expect_eq(CPU_COUNT(&set), cpus);
    for (int i = 0; i < cpus; i++)
        expect_true(CPU_ISSET(i, &set));
    unsigned cpu = 999, node = 999;
    expect_eq(syscall(SYS_getcpu, &cpu, &node, NULL), 0);
    expect_true(cpu < (unsigned)cpus);
    /* Every CPU in the mask may be asked for, alone. */
    for (int i = 0; i < cpus; i++) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(i, &one);
        expect_eq(sched_setaffinity(0, sizeof one, &one), 0);
    }
    expect_eq(sched_setaffinity(0, sizeof set, &set), 0);
    char want[32], online[32] = "";
    if (cpus == 1)
        snprintf(want, sizeof want, "0\n");
    else
        snprintf(want, sizeof want, "0-%ld\n", cpus - 1);
    FILE *f = fopen("/sys/devices/system/cpu/online", "r");
    expect_true(f != NULL);
    expect_true(fgets(online, sizeof online, f) != NULL);
    fclose(f);
    if (strcmp(online, want) != 0)
        fail("/sys/devices/system/cpu/online says %s with %ld CPUs", online, cpus);
    printf("membarrier_smp: %ld CPUs online, this thread on CPU %u\n", cpus, cpu);
}

int main(void)
{
    start_watchdog(110);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    expect_true(cpus >= 1);
    test_cpu_count(cpus);
    expect_eq(syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0), 0);
    if (cpus < 2) {
        /* One CPU: the threads take turns, nothing to reorder; the call still works. */
        expect_eq(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), 0);
        printf("membarrier_smp: one CPU, no litmus rounds\n");
        pass();
    }
    test_getcpu_spread(cpus);
    test_membarrier_vs_shootdowns();
    int reordered = forbidden_outcomes(Rounds, 0);
    printf("membarrier_smp: without membarrier, both loads saw 0 in %d of %d rounds\n", reordered, Rounds);
    int with = forbidden_outcomes(Rounds, 1);
    printf("membarrier_smp: with membarrier, in %d of %d rounds\n", with, Rounds);
    if (with != 0)
        fail("membarrier did not order the other CPU: both loads saw 0 in %d rounds", with);
    pass();
}
