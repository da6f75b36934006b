// guest: futex=all nosticky=fail timeout=60
/*
 * futex_demo - the 2002 bug in its simplest form, the program `make demo`
 * runs under each futex design (tools/run-guest --futex=compare), whose
 * kernel log tells the story: one thread waits on a private futex word on
 * main's stack; main forks (the child keeps the page shared and touches
 * nothing); main writes the word, which is a copy-on-write fault, and wakes
 * it. The wake must return 1 and the waiter must wake before its 2 s
 * deadline.
 *
 * nosticky: the waiter is queued under the page's old frame, the write moves
 * main to a new one, the wake looks there and finds nobody: "lost wakeup".
 * sticky: fork copied the pinned page for the child, main keeps its frame.
 * virtkey: the key is (address space, address); frames do not matter.
 */
#define GUEST_NAME "futex_demo"
#include "guest.h"

/* Owns the stack page with the word: every deeper frame lies below it. */
__attribute__((noinline)) static void story(void)
{
    volatile int word[GUEST_PAGE / sizeof(int)] __attribute__((aligned(GUEST_PAGE)));
    word[64] = 0;
    printf("futex_demo: a thread waits on %p, a word on main's stack\n", (void *)&word[64]);
    struct waiter w = { .index = 0 };
    waiter_start(&w, &word[64], 0, FUTEX_PRIVATE_FLAG, 2000);
    waiter_settle(&w);

    struct held_child child;
    if (held_fork(&child) == 0) {
        child_signal(&child);
        child_wait_release(&child);     /* touches nothing: the page stays shared */
        _exit(0);
    }
    parent_wait_ready(&child, "fork");
    printf("futex_demo: forked pid %d; main writes the word and wakes it\n", (int)child.pid);
    word[64] = 1;                       /* the copy-on-write fault */
    long woken = futex_wake(&word[64], 1, FUTEX_PRIVATE_FLAG);
    int done = waiter_await(&w, 3000);
    parent_release(&child);
    reap(child.pid, "child");
    if (!done)
        fail("unexpected result: the waiter neither woke nor timed out");
    waiter_join(&w);
    printf("futex_demo: FUTEX_WAKE returned %ld, the waiter's FUTEX_WAIT returned %s\n", woken,
           errno_str(w.result));
    if (woken == 0 && w.result == -ETIMEDOUT)
        fail("lost wakeup: the wake found nobody and the waiter timed out");
    if (woken != 1 || w.result != 0)
        fail("unexpected result: wake %ld, wait %s", woken, errno_str(w.result));
}

int main(void)
{
    start_watchdog(40);
    story();
    pass();
}
