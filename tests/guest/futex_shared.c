// guest: futex=all timeout=60
/*
 * futex_shared - futexes in MAP_SHARED memory work across fork in both
 * directions (key = shared object + page + offset under every design; a
 * MAP_SHARED page is never COW, so no design loses these wakeups).
 *
 *  1. parent thread waits (before the fork), the child writes + wakes;
 *  2. the child waits, the parent writes + wakes;
 *  3. parent thread waits before the fork, the parent writes the shared
 *     page after the fork (no COW fault) and wakes its own waiter;
 *  4. the object mapped at two addresses (mremap with old_size 0 makes a
 *     second mapping of the same pages): a thread waits through one, main
 *     wakes through the other; then a child maps it at an address of its
 *     own and waits there, the parent wakes through its first mapping. A
 *     key made of the virtual address would miss both.
 * Cross-process cases use plain ops (a private op is per address space on
 * Linux); case 3 stays in one process and runs with plain and private ops.
 */
#define GUEST_NAME "futex_shared"
#include "guest.h"

#include <sys/mman.h>

static volatile int *shm;
static struct waiter w;

/* 1: the parent's waiter queued before the fork; the child wakes it. */
static void parent_waits_child_wakes(void)
{
    volatile int *word = &shm[0];
    for (int attempt = 0; attempt < 3; attempt++) {
        *word = 0;
        waiter_start(&w, word, 0, 0, 2000);
        waiter_settle(&w);
        struct held_child c;
        if (held_fork(&c) == 0) {
            *word = 1;
            long r = futex_wake(word, 1, 0);
            _exit(r == 1 ? 0 : r == 0 ? 2 : 3);
        }
        int code = reap(c.pid, "case 1");
        close(c.ready_rd);
        close(c.release_wr);
        waiter_join(&w);
        if (w.result == -EAGAIN)
            continue; /* the waiter was late: retry */
        printf("%s: 1: child's wake -> exit %d, parent's waiter %s\n", GUEST_NAME, code,
               errno_str(w.result));
        if (code != 0 || w.result != 0)
            fail("1: child's FUTEX_WAKE on MAP_SHARED word: child exit %d (2: woke 0), waiter %s",
                 code, errno_str(w.result));
        return;
    }
    fail("1: waiter never queued in time");
}

/* 2: the child waits, the parent wakes. */
static void child_waits_parent_wakes(void)
{
    volatile int *word = &shm[64];
    for (int attempt = 0; attempt < 3; attempt++) {
        *word = 0;
        struct held_child c;
        if (held_fork(&c) == 0) {
            w.index = 0;
            waiter_start(&w, word, 0, 0, 2000);
            waiter_settle(&w);
            child_signal(&c);
            waiter_join(&w);
            /* held_finish() writes the release byte: exiting first would SIGPIPE the parent */
            child_wait_release(&c);
            _exit(w.result == 0 ? 0 : w.result == -EAGAIN ? 4 : 5);
        }
        parent_wait_ready(&c, "case 2");
        *word = 1;
        long r = futex_wake(word, 1, 0);
        int code = held_finish(&c, "case 2");
        if (code == 4)
            continue;
        printf("%s: 2: parent's wake returned %ld, child exit %d\n", GUEST_NAME, r, code);
        if (r != 1 || code != 0)
            fail("2: parent's FUTEX_WAKE on MAP_SHARED word returned %ld, child exit %d (5: its "
                 "waiter timed out)", r, code);
        return;
    }
    fail("2: child's waiter never queued in time");
}

/* 3: a waiter queued before fork; the parent writes the shared page and wakes it. */
static void parent_writes_shared_after_fork(int flags)
{
    volatile int *word = &shm[128];
    for (int attempt = 0; attempt < 3; attempt++) {
        *word = 0;
        waiter_start(&w, word, 0, flags, 2000);
        waiter_settle(&w);
        struct held_child c;
        if (held_fork(&c) == 0) {
            child_signal(&c);
            child_wait_release(&c);
            _exit(*word == 7 ? 0 : 6); /* the parent's write is visible: shared */
        }
        parent_wait_ready(&c, "case 3");
        *word = 7;
        long r = futex_wake(word, 1, flags);
        waiter_join(&w);
        int code = held_finish(&c, "case 3");
        if (w.result == -EAGAIN)
            continue;
        printf("%s: 3/%s: wake returned %ld, waiter %s, child exit %d\n", GUEST_NAME,
               flag_name(flags), r, errno_str(w.result), code);
        if (r != 1 || w.result != 0)
            fail("3/%s: lost wakeup on a MAP_SHARED word after fork: wake returned %ld, waiter %s",
                 flag_name(flags), r, errno_str(w.result));
        if (code != 0)
            fail("3/%s: the child did not see the parent's write to MAP_SHARED memory",
                 flag_name(flags));
        return;
    }
    fail("3: waiter never queued in time");
}

/* 4: the same object at different addresses, in one process and across fork. */
static void two_addresses(void)
{
    volatile int *other = mremap((void *)shm, 0, GUEST_PAGE, MREMAP_MAYMOVE);
    if (other == MAP_FAILED)
        fail("4: mremap(old_size 0) of the MAP_SHARED page: %s", strerror(errno));
    if (other == shm)
        fail("4: mremap made the second mapping at the same address");
    shm[200] = 5;
    if (other[200] != 5)
        fail("4: the second mapping does not show the first one's write");
    for (int attempt = 0; attempt < 3; attempt++) {
        other[192] = 0;
        waiter_start(&w, &other[192], 0, 0, 2000);
        waiter_settle(&w);
        shm[192] = 1;
        long r = futex_wake(&shm[192], 1, 0);
        waiter_join(&w);
        if (w.result == -EAGAIN)
            continue;
        printf("%s: 4a: wait at %p, wake at %p returned %ld, waiter %s\n", GUEST_NAME, (void *)&other[192],
               (void *)&shm[192], r, errno_str(w.result));
        if (r != 1 || w.result != 0)
            fail("4a: a wake through one mapping of the object missed a waiter through the other: "
                 "wake returned %ld, waiter %s", r, errno_str(w.result));
        break;
    }
    for (int attempt = 0; attempt < 3; attempt++) {
        volatile int *word = &shm[256];
        *word = 0;
        struct held_child c;
        if (held_fork(&c) == 0) {
            volatile int *mine = mremap((void *)shm, 0, GUEST_PAGE, MREMAP_MAYMOVE);
            if (mine == MAP_FAILED || mine == shm)
                _exit(6);
            w.index = 0;
            waiter_start(&w, &mine[256], 0, 0, 2000);
            waiter_settle(&w);
            child_signal(&c);
            waiter_join(&w);
            child_wait_release(&c);
            _exit(w.result == 0 ? 0 : w.result == -EAGAIN ? 4 : 5);
        }
        parent_wait_ready(&c, "case 4");
        *word = 1;
        long r = futex_wake(word, 1, 0);
        int code = held_finish(&c, "case 4");
        if (code == 4)
            continue;
        printf("%s: 4b: the child waits through a mapping of its own, the parent's wake returned %ld, "
               "child exit %d\n", GUEST_NAME, r, code);
        if (r != 1 || code != 0)
            fail("4b: the parent's wake missed the child's waiter on its own mapping of the object: wake "
                 "returned %ld, child exit %d (5: it timed out, 6: no mapping)", r, code);
        return;
    }
    fail("4: waiter never queued in time");
}

int main(void)
{
    start_watchdog(40);
    void *p = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        fail("mmap MAP_SHARED: %s", strerror(errno));
    shm = p;
    parent_waits_child_wakes();
    child_waits_parent_wakes();
    for (int i = 0; i < 2; i++)
        parent_writes_shared_after_fork(FUTEX_FLAGS(i));
    two_addresses();
    pass();
}
