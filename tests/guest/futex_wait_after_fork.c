// guest: futex=all nosticky=fail timeout=60 fails-without=no-cow-break
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

static struct cow_case cases[6];

__attribute__((noinline)) static void run(void)
{
    COW_STACK_AREA(area);
    int n = cow_fill_cases(cases, COW_STACK | COW_HEAP | COW_MMAP, area, 1);
    cow_run(cases, n, FORK_THEN_WAIT, PARENT_WRITES_FIRST);
    COW_STACK_KEEP(area);
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
