// guest: futex=all timeout=60
/*
 * futex_cow_child_writes - control case for the COW scenarios: the same
 * waiters (main's stack, brk heap, private mmap, .bss; plain and private
 * ops), but the *child* writes each page first, then the parent writes the
 * word and wakes. Round 1 waits before the fork, round 2 after it.
 *
 * Passes under every design, including nosticky: the child's write fault
 * gives the child a fresh copy and drops its reference, so the old frame is
 * the parent's alone (refcount 1); the parent's later write reuses it in
 * place (no copy) and the waiters' frame key stays valid. Proves the
 * nosticky failures of futex_cow_* are about who writes first, not about
 * fork or futexes in general.
 */
#define GUEST_NAME "futex_cow_child_writes"
#define GUEST_COW_SCENARIOS
#include "guest.h"

#include <stdlib.h>
#include <sys/mman.h>

static int data_pages[2][GUEST_PAGE / sizeof(int)] __attribute__((aligned(GUEST_PAGE)));
static struct cow_case cases[8];

__attribute__((noinline)) static void run(void)
{
    char area[5 * GUEST_PAGE];
    uintptr_t base = ((uintptr_t)area + GUEST_PAGE - 1) & ~(uintptr_t)(GUEST_PAGE - 1);
    char *m = mmap(NULL, 2 * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        /* a page-sized spacer keeps the plain and private words on different pages */
        int *h = calloc(32, sizeof(int));
        if (!h || !calloc(GUEST_PAGE, 1))
            fail("calloc failed");
        int f = FUTEX_FLAGS(i);
        cases[i] = (struct cow_case){ .where = "stack", .nwaiters = 1, .flags = f,
            .word = (volatile int *)(base + (uintptr_t)(2 * i) * GUEST_PAGE + 256) };
        cases[2 + i] = (struct cow_case){ .where = "heap", .nwaiters = 1, .flags = f, .word = h };
        cases[4 + i] = (struct cow_case){ .where = "mmap", .nwaiters = 1, .flags = f,
            .word = (volatile int *)(m + i * GUEST_PAGE + 1024) };
        cases[6 + i] = (struct cow_case){ .where = "bss", .nwaiters = 2, .flags = f,
            .word = &data_pages[i][7] };
    }
    printf("%s: round 1: wait, fork, child writes, parent writes + wakes\n", GUEST_NAME);
    cow_run(cases, 8, WAIT_THEN_FORK, CHILD_WRITES_FIRST);
    printf("%s: round 2: fork, child writes, wait, parent writes + wakes\n", GUEST_NAME);
    cow_run(cases, 8, FORK_THEN_WAIT, CHILD_WRITES_FIRST);
    __asm__ volatile("" : : "r"(area) : "memory");
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
