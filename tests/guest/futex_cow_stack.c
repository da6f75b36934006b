// guest: futex=all nosticky=fail timeout=60
/*
 * futex_cow_stack - the 2002 bug with the futex word on the main thread's
 * stack (where NPTL keeps on-stack locks and condvar nodes).
 *
 * A thread waits on a word in a page of main's stack; main forks; the child
 * stays alive without touching that page; main writes the word (a COW fault:
 * the page is shared with the child) and FUTEX_WAKEs it. The wake must
 * return 1 and the waiter must wake before its 2 s deadline.
 *
 * nosticky: the waiter is queued on the old frame, the parent's write moves
 * the parent to a new frame, the wake looks there: returns 0 -> FAIL
 * "lost wakeup". sticky: fork copied the pinned page eagerly for the child,
 * the parent keeps the frame. virtkey: keys are virtual, COW is irrelevant.
 */
#define GUEST_NAME "futex_cow_stack"
#define GUEST_COW_SCENARIOS
#include "guest.h"

static struct cow_case cases[2];

/* Owns the stack pages; all deeper frames (and the child's) lie below them. */
__attribute__((noinline)) static void run_on_stack(void)
{
    COW_STACK_AREA(area);
    int n = cow_fill_cases(cases, COW_STACK, area, 1);
    printf("%s: words at %p and %p (main's stack)\n", GUEST_NAME, (void *)cases[0].word,
           (void *)cases[1].word);
    cow_run(cases, n, WAIT_THEN_FORK, PARENT_WRITES_FIRST);
    COW_STACK_KEEP(area);
}

int main(void)
{
    start_watchdog(40);
    run_on_stack();
    pass();
}
