// guest: futex=all nosticky=fail timeout=60
/*
 * futex_pi_fork - the sticky rules hold for PI waiters: a thread blocks in
 * FUTEX_LOCK_PI on a lock word in private memory (an mmap'd page and a
 * malloc'd one, plain and PRIVATE ops) held by another thread; the main
 * thread forks (the child keeps the pages COW-shared and touches nothing);
 * the parent writes the page, then the owner unlocks (FUTEX_UNLOCK_PI,
 * FUTEX_WAITERS being set). The waiter must get the lock with its tid in
 * the word. Under nosticky the parent's write moved it to a new frame: the
 * unlock finds no waiter on the new key and clears the word, and the waiter
 * sleeps on the old frame until its deadline: a lost wakeup, every case.
 */
#define GUEST_NAME "futex_pi_fork"
#include "guest.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define TID_MASK 0x3fffffffu
#define DEADLINE_MS 2000

struct pcase {
    const char *where;
    int flags;
    volatile unsigned *word;
    pthread_t owner_thread, waiter_thread;
    volatile int owner_has, release;
    volatile long lock_result, unlock_result;
    volatile unsigned word_seen;
    volatile pid_t waiter_tid;
    volatile int waiting, waiter_done;
};

static void *owner_main(void *arg)
{
    struct pcase *c = arg;
    if (futex_raw(c->word, FUTEX_LOCK_PI | c->flags, 0, 0, NULL, 0) != 0)
        fail("%s/%s: owner LOCK_PI", c->where, flag_name(c->flags));
    c->owner_has = 1;
    while (!c->release)
        sleep_ms(1);
    c->unlock_result = futex_raw(c->word, FUTEX_UNLOCK_PI | c->flags, 0, 0, NULL, 0);
    /* Stays alive until the waiter is done: an owner's exit hands its PI
     * locks to their waiters, which would hide a lost handoff. */
    while (!c->waiter_done)
        sleep_ms(1);
    return NULL;
}

static void *waiter_main(void *arg)
{
    struct pcase *c = arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += DEADLINE_MS / 1000;
    c->waiter_tid = (pid_t)syscall(SYS_gettid);
    c->waiting = 1;
    c->lock_result = futex_raw(c->word, FUTEX_LOCK_PI | c->flags, 0, (long)&ts, NULL, 0);
    c->word_seen = *c->word;
    if (c->lock_result == 0)
        futex_raw(c->word, FUTEX_UNLOCK_PI | c->flags, 0, 0, NULL, 0);
    return NULL;
}

int main(void)
{
    start_watchdog(50);
    struct pcase cs[4];
    memset(cs, 0, sizeof cs);
    char *m = mmap(NULL, 2 * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *h = aligned_alloc(GUEST_PAGE, 2 * GUEST_PAGE);
    if (m == MAP_FAILED || !h)
        fail("allocation");
    memset(m, 0, 2 * GUEST_PAGE);
    memset(h, 0, 2 * GUEST_PAGE);
    for (int i = 0; i < 4; i++) {
        cs[i].where = i < 2 ? "mmap" : "heap";
        cs[i].flags = FUTEX_FLAGS(i & 1);
        cs[i].word = (volatile unsigned *)((i < 2 ? m : h) + (i & 1) * GUEST_PAGE);
    }
    for (int i = 0; i < 4; i++) {
        pthread_create(&cs[i].owner_thread, NULL, owner_main, &cs[i]);
        while (!cs[i].owner_has)
            sleep_ms(1);
        pthread_create(&cs[i].waiter_thread, NULL, waiter_main, &cs[i]);
        while (!cs[i].waiting)
            sleep_ms(1);
        sleep_ms(50);
    }
    struct held_child c;
    if (held_fork(&c) == 0) {
        child_signal(&c);
        child_wait_release(&c);
        _exit(0);
    }
    parent_wait_ready(&c, "pi fork");
    /* The parent's write: a COW fault while the child still maps the frame. */
    for (int i = 0; i < 4; i++)
        ((volatile char *)cs[i].word)[64] = 1;
    for (int i = 0; i < 4; i++)
        cs[i].release = 1;
    for (int i = 0; i < 4; i++) {
        pthread_join(cs[i].waiter_thread, NULL);
        cs[i].waiter_done = 1;
        pthread_join(cs[i].owner_thread, NULL);
    }
    expect_eq(held_finish(&c, "pi fork"), 0);

    int ok = 0, lost = 0;
    char msg[400];
    size_t len = 0;
    msg[0] = 0;
    for (int i = 0; i < 4; i++) {
        struct pcase *p = &cs[i];
        int got = p->lock_result == 0 && (p->word_seen & TID_MASK) == (unsigned)p->waiter_tid;
        printf("%s: %s/%s: UNLOCK_PI %s, waiter's LOCK_PI %s, word 0x%x\n", GUEST_NAME, p->where,
               flag_name(p->flags), errno_str(p->unlock_result), errno_str(p->lock_result), p->word_seen);
        if (got && p->unlock_result == 0)
            ok++;
        else if (p->unlock_result == 0 && p->lock_result == -ETIMEDOUT)
            lost++;
        int n = snprintf(msg + len, sizeof msg - len, "%s%s/%s: unlock %s, lock %s", len ? "; " : "", p->where,
                         flag_name(p->flags), errno_str(p->unlock_result), errno_str(p->lock_result));
        if (n > 0 && (size_t)n < sizeof msg - len)
            len += (size_t)n;
    }
    if (ok == 4)
        pass();
    if (lost == 4)
        fail("lost wakeup: every PI handoff missed its waiter, each timed out after %d ms (%s)", DEADLINE_MS, msg);
    fail("unexpected result: %s", msg);
}
