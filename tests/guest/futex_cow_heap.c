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

static struct cow_case cases[2];

int main(void)
{
    start_watchdog(40);
    uintptr_t brk0 = (uintptr_t)syscall(SYS_brk, 0);
    int n = cow_fill_cases(cases, COW_HEAP, NULL, 1); /* each word on a page of its own */
    uintptr_t brk1 = (uintptr_t)syscall(SYS_brk, 0);
    for (int i = 0; i < n; i++) {
        uintptr_t a = (uintptr_t)cases[i].word;
        printf("%s: word %d at %p (%s)\n", GUEST_NAME, i, (void *)a,
               a >= brk0 - (1u << 20) && a < brk1 ? "brk heap" : "not in brk: mmap'd by malloc");
    }
    cow_run(cases, n, WAIT_THEN_FORK, PARENT_WRITES_FIRST);
    pass();
}
