// guest: futex=all nosticky=fail timeout=60
/*
 * futex_requeue_after_fork - the 2002 bug reached through FUTEX_CMP_REQUEUE:
 * the requeue target is a private word whose page is still COW-shared with
 * a child (glibc's old condvars requeued their waiters onto the mutex word).
 *
 * Words B on main's stack, in the brk heap, in private mmap'd memory and in
 * .bss, each with plain and FUTEX_PRIVATE_FLAG ops, all in one round: B is
 * present, fork, the child stays alive without touching B's page; parent
 * threads wait on a word A on a page mapped after the fork (the child has
 * no such page, so A's key is the parent's alone in every design); main
 * does FUTEX_CMP_REQUEUE(A -> B, wake 0, requeue all): returns the number
 * of waiters; main writes B (a COW fault) and FUTEX_WAKEs B: the wake must
 * return every waiter and each must wake before its 2 s deadline.
 *
 * nosticky: the waiters are requeued onto B's shared frame; the parent's
 * write moves the parent away from it: wake returns 0 -> FAIL "lost
 * wakeup". sticky: the requeue breaks COW on the target for the caller (as
 * FUTEX_WAIT does) before keying and pinning it, so the parent's write
 * reuses its frame. virtkey: keys are virtual, COW is irrelevant.
 */
#define GUEST_NAME "futex_requeue_after_fork"
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
            cases[i].nwaiters = 2; /* the requeue moves more than one */
    cow_run(cases, n, FORK_THEN_REQUEUE, PARENT_WRITES_FIRST);
    COW_STACK_KEEP(area);
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
