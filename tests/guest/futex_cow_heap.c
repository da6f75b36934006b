// guest: futex=all nosticky=fail timeout=60
/*
 * futex_cow_heap - the 2002 bug with the futex word in malloc'd memory
 * (musl's malloc serves small blocks from the brk heap; printed below).
 *
 * A thread waits on the word; main forks; the child stays alive without
 * touching the heap; main writes the word (COW fault) and FUTEX_WAKEs it:
 * the wake must return 1 and the waiter must wake before its 2 s deadline.
 *
 * nosticky: the waiter stays queued on the frame the child keeps; the wake
 * is computed on the parent's new copy and returns 0 -> FAIL "lost wakeup".
 */
#define GUEST_NAME "futex_cow_heap"
#define GUEST_COW_SCENARIOS
#include "guest.h"

#include <stdlib.h>

static struct cow_case cases[2];

int main(void)
{
    start_watchdog(40);
    uintptr_t brk0 = (uintptr_t)syscall(SYS_brk, 0);
    for (int i = 0; i < 2; i++) {
        /*
         * Each word on a page of its own (inside a two-page block, whatever
         * else malloc puts around it), so the plain and private cases do not
         * share a page and are independent.
         */
        char *p = malloc(2 * GUEST_PAGE);
        if (!p)
            fail("malloc failed");
        uintptr_t page = ((uintptr_t)p + GUEST_PAGE - 1) & ~(uintptr_t)(GUEST_PAGE - 1);
        memset((void *)page, 0, GUEST_PAGE);
        cases[i].where = "heap";
        cases[i].word = (volatile int *)(page + 256);
        cases[i].flags = FUTEX_FLAGS(i);
        cases[i].nwaiters = 1;
    }
    uintptr_t brk1 = (uintptr_t)syscall(SYS_brk, 0);
    for (int i = 0; i < 2; i++) {
        uintptr_t a = (uintptr_t)cases[i].word;
        printf("%s: word %d at %p (%s)\n", GUEST_NAME, i, (void *)a,
               a >= brk0 - (1u << 20) && a < brk1 ? "brk heap" : "not in brk: mmap'd by malloc");
    }
    cow_run(cases, 2, WAIT_THEN_FORK, PARENT_WRITES_FIRST);
    pass();
}
