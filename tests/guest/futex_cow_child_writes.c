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

static struct cow_case cases[8];

__attribute__((noinline)) static void run(void)
{
    COW_STACK_AREA(area);
    int n = cow_fill_cases(cases, COW_STACK | COW_HEAP | COW_MMAP | COW_BSS, area, 1);
    for (int i = 0; i < n; i++)
        if (cases[i].kind == COW_BSS)
            cases[i].nwaiters = 2;
    printf("%s: round 1: wait, fork, child writes, parent writes + wakes\n", GUEST_NAME);
    cow_run(cases, n, WAIT_THEN_FORK, CHILD_WRITES_FIRST);
    printf("%s: round 2: fork, child writes, wait, parent writes + wakes\n", GUEST_NAME);
    cow_run(cases, n, FORK_THEN_WAIT, CHILD_WRITES_FIRST);
    COW_STACK_KEEP(area);
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
