// guest: timeout=90 mem=256M
/*
 * exit_teardown_preempted - a process whose last thread is preempted while
 * it tears down its address space. Each round a child maps and writes
 * 16 MiB (so freeing its page tables and frames takes milliseconds), spins
 * in user mode for a random time, and exits, while a thread of the parent
 * spins too: the 10 ms slice ends at a random point of the exit, often in
 * the middle of the teardown, and the scheduler switches away and back.
 * Coming back must not load the half-freed tables into CR3 (stickyos
 * panics if anything tries). Every child must exit 0 and the run must leak
 * nothing (the runner's accounting after the program).
 */
#define GUEST_NAME "exit_teardown_preempted"
#include "guest.h"

#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define ROUNDS 20
#define CHILD_BYTES (16u << 20)

static atomic_int stop;

static void *spinner(void *a)
{
    (void)a;
    while (!atomic_load_explicit(&stop, memory_order_relaxed))
        ;
    return NULL;
}

static void spin_us(long us)
{
    uint64_t end = now_ns() + (uint64_t)us * 1000;
    while (now_ns() < end)
        ;
}

int main(void)
{
    start_watchdog(80);
    pthread_t t;
    if (pthread_create(&t, NULL, spinner, NULL) != 0)
        fail("pthread_create");
    unsigned seed = 2024;
    for (int round = 0; round < ROUNDS; round++) {
        seed = seed * 1103515245u + 12345u;
        long spin = (long)((seed >> 8) % 12000);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            fail("fork: %s", strerror(errno));
        if (pid == 0) {
            char *p = mmap(NULL, CHILD_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                _exit(2);
            for (size_t off = 0; off < CHILD_BYTES; off += 4096)
                p[off] = (char)off;
            spin_us(spin);
            _exit(0);
        }
        int code = reap(pid, "child");
        if (code != 0)
            fail("round %d: child ended with %d, expected exit 0", round, code);
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    printf("%s: %d children with %u MiB each exited while a thread spun\n", GUEST_NAME, ROUNDS, CHILD_BYTES >> 20);
    pass();
}
