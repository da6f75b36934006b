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

#include <sys/mman.h>

static struct cow_case cases[2];

int main(void)
{
    start_watchdog(40);
    char *m = mmap(NULL, 2 * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        cases[i].where = "mmap";
        cases[i].word = (volatile int *)(m + i * GUEST_PAGE + 512);
        cases[i].flags = FUTEX_FLAGS(i);
        cases[i].nwaiters = 1;
    }
    cow_run(cases, 2, WAIT_THEN_FORK, PARENT_WRITES_FIRST);
    pass();
}
