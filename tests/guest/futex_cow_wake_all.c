// guest: futex=all nosticky=fail timeout=60
/*
 * futex_cow_wake_all - 8 waiters queued before a fork on one private word
 * (in .bss static data), the parent writes the page (COW fault) and issues
 * one FUTEX_WAKE(INT_MAX): it must return 8 and all 8 must wake in time.
 * Plain and FUTEX_PRIVATE_FLAG words on separate pages, in the same round.
 *
 * nosticky: all 8 stay queued on the frame the child keeps; the wake on the
 * parent's new copy returns 0 -> FAIL "lost wakeup" (8 timeouts).
 */
#define GUEST_NAME "futex_cow_wake_all"
#define GUEST_COW_SCENARIOS
#include "guest.h"

static struct cow_case cases[2];

int main(void)
{
    start_watchdog(40);
    int n = cow_fill_cases(cases, COW_BSS, NULL, 8);
    cow_run(cases, n, WAIT_THEN_FORK, PARENT_WRITES_FIRST);
    pass();
}
