// guest: futex=all nosticky=fail timeout=60
/*
 * futex_cow_mmap - the 2002 bug with the futex word in private anonymous
 * mmap'd memory (MAP_PRIVATE|MAP_ANONYMOUS: thread stacks, big mallocs).
 *
 * A thread waits on the word; main forks; the child stays alive without
 * touching the mapping; main writes the word (COW fault) and FUTEX_WAKEs it:
 * the wake must return 1 and the waiter must wake before its 2 s deadline.
 *
 * nosticky: waiter on the child's frame, wake on the parent's new copy:
 * returns 0 -> FAIL "lost wakeup".
 */
#define GUEST_NAME "futex_cow_mmap"
#define GUEST_COW_SCENARIOS
#include "guest.h"

static struct cow_case cases[2];

int main(void)
{
    start_watchdog(40);
    int n = cow_fill_cases(cases, COW_MMAP, NULL, 1);
    cow_run(cases, n, WAIT_THEN_FORK, PARENT_WRITES_FIRST);
    pass();
}
