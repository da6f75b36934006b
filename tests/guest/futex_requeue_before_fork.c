// guest: futex=all nosticky=fail timeout=60
/*
 * futex_requeue_before_fork - the waiters' hold on their page must follow
 * them when FUTEX_CMP_REQUEUE moves them to a word on another page.
 *
 * Words B on main's stack, in the brk heap, in private mmap'd memory and in
 * .bss, each with plain and FUTEX_PRIVATE_FLAG ops, all in one round:
 * parent threads wait on a word A on a page of its own; main does
 * FUTEX_CMP_REQUEUE(A -> B, wake 0, requeue all): returns the number of
 * waiters; then fork, the child stays alive without touching B's page; main
 * writes B (a COW fault unless B's page was kept from the child) and
 * FUTEX_WAKEs B: the wake must return every waiter and each must wake
 * before its 2 s deadline.
 *
 * sticky: the requeue moved each waiter's pin from A's frame to B's
 * (FutexPins.MoveAfterRequeue), so fork copies B's page into the child
 * eagerly and the parent keeps the frame the waiters are keyed on. Without
 * that move the pin stays on A's frame, fork shares B's page, the parent's
 * write moves the parent away: the wake returns 0 -> "lost wakeup".
 * nosticky: no pins at all, the same lost wakeup. virtkey: keys are
 * virtual, COW is irrelevant.
 */
#define GUEST_NAME "futex_requeue_before_fork"
#define GUEST_COW_SCENARIOS
#include "guest.h"

static struct cow_case cases[8];

/* Owns the stack pages; all deeper frames (and the child's) lie below them. */
__attribute__((noinline)) static void run(void)
{
    COW_STACK_AREA(area);
    int n = cow_fill_cases(cases, COW_STACK | COW_HEAP | COW_MMAP | COW_BSS, area, 1);
    for (int i = 0; i < n; i++)
        if (cases[i].kind == COW_BSS)
            cases[i].nwaiters = 2; /* two pins move to one frame */
    cow_run(cases, n, REQUEUE_THEN_FORK, PARENT_WRITES_FIRST);
    COW_STACK_KEEP(area);
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
