// guest: futex=all nosticky=fail timeout=60
/*
 * futex_wait_after_fork - Martin Wirth's race (seed thread, 2002-09-27):
 * FUTEX_WAIT issued *after* fork on a private page that parent and child
 * still share read-only, then the parent writes the page and wakes.
 *
 * Words on main's stack, in the brk heap and in private mmap'd memory,
 * each with plain and FUTEX_PRIVATE_FLAG ops, all in one round: fork, the
 * child stays alive without touching them, parent threads wait, main writes
 * each word (COW fault) and FUTEX_WAKEs it: every wake must return 1.
 *
 * nosticky: the waiter is hashed on the still-shared frame; the parent's
 * write moves the parent away from it: wake returns 0 -> FAIL "lost wakeup".
 * sticky: FUTEX_WAIT breaks COW for the caller first (as a write fault
 * would), so the waiter is on a frame only the parent maps.
 */
#define GUEST_NAME "futex_wait_after_fork"
#define GUEST_COW_SCENARIOS
#include "guest.h"

#include <stdlib.h>
#include <sys/mman.h>

static struct cow_case cases[6];

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
        cases[i] = (struct cow_case){ .where = "stack", .nwaiters = 1, .flags = FUTEX_FLAGS(i),
            .word = (volatile int *)(base + (uintptr_t)(2 * i) * GUEST_PAGE + 256) };
        cases[2 + i] = (struct cow_case){ .where = "heap", .nwaiters = 1, .flags = FUTEX_FLAGS(i),
            .word = h };
        cases[4 + i] = (struct cow_case){ .where = "mmap", .nwaiters = 1, .flags = FUTEX_FLAGS(i),
            .word = (volatile int *)(m + i * GUEST_PAGE + 1024) };
    }
    cow_run(cases, 6, FORK_THEN_WAIT, PARENT_WRITES_FIRST);
    __asm__ volatile("" : : "r"(area) : "memory");
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
