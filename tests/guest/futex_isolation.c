// guest: futex=all nosticky=fail timeout=60
/*
 * futex_isolation - after fork, with the word's page still COW-shared, a
 * private futex word waited on in the child is a different futex from the
 * parent's word at the same address.
 *
 * The child's threads wait on words (main's stack and private mmap; plain
 * and FUTEX_PRIVATE_FLAG ops); the parent, without writing anything, issues
 * FUTEX_WAKE(INT_MAX) on the same addresses: every wake must return 0 and no
 * child waiter may wake. Then the child wakes its own waiters (must return
 * 1 each: proves they really were queued while the parent woke).
 *
 * nosticky: both processes still map the same frame, keys are (frame,
 * offset): the parent's wake returns 1 and wakes the child's waiter -> FAIL
 * "isolation broken". sticky: the child's FUTEX_WAIT broke COW for the
 * child first. virtkey: keys include the address space.
 */
#define GUEST_NAME "futex_isolation"
#define GUEST_COW_SCENARIOS
#include "guest.h"

#include <sys/mman.h>

#define NCASES 4
static struct cow_case cases[NCASES];

static int child_main(struct held_child *c)
{
    int bad = 0;
    for (int i = 0; i < NCASES; i++) {
        cases[i].w[0].index = i;
        waiter_start(&cases[i].w[0], cases[i].word, 0, cases[i].flags, 4000);
        waiter_settle(&cases[i].w[0]);
    }
    child_signal(c);
    child_wait_release(c);
    sleep_ms(20);
    for (int i = 0; i < NCASES; i++) {
        struct waiter *w = &cases[i].w[0];
        if (waiter_done(w)) {
            child_say("%s/%s: waiter returned %s before the child woke it: woken by the parent",
                      cases[i].where, flag_name(cases[i].flags), errno_str(w->result));
            bad = 1;
            continue;
        }
        long r = futex_wake(cases[i].word, INT_MAX, cases[i].flags);
        if (r != 1) {
            child_say("%s/%s: the child's own FUTEX_WAKE returned %ld, expected 1",
                      cases[i].where, flag_name(cases[i].flags), r);
            bad = 1;
        }
        if (!waiter_await(w, WAKE_DEADLINE_MS) || w->result != 0) {
            child_say("%s/%s: the child's waiter did not wake from the child's own wake",
                      cases[i].where, flag_name(cases[i].flags));
            bad = 1;
        }
    }
    return bad;
}

__attribute__((noinline)) static void run(void)
{
    char area[5 * GUEST_PAGE];
    uintptr_t base = ((uintptr_t)area + GUEST_PAGE - 1) & ~(uintptr_t)(GUEST_PAGE - 1);
    char *m = mmap(NULL, 2 * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        cases[i] = (struct cow_case){ .where = "stack", .flags = FUTEX_FLAGS(i),
            .word = (volatile int *)(base + (uintptr_t)(2 * i) * GUEST_PAGE + 256) };
        cases[2 + i] = (struct cow_case){ .where = "mmap", .flags = FUTEX_FLAGS(i),
            .word = (volatile int *)(m + i * GUEST_PAGE + 2048) };
    }
    for (int i = 0; i < NCASES; i++)
        *cases[i].word = 0; /* present before the fork, so the frame is shared */

    struct held_child c;
    if (held_fork(&c) == 0)
        _exit(child_main(&c));
    parent_wait_ready(&c, "isolation");
    cow_verify_pfn(cases, NCASES, c.pid, 1, 1);

    long r[NCASES];
    for (int i = 0; i < NCASES; i++)
        r[i] = futex_wake(cases[i].word, INT_MAX, cases[i].flags);
    int code = held_finish(&c, "isolation");

    char msg[300];
    size_t len = 0;
    msg[0] = 0;
    for (int i = 0; i < NCASES; i++) {
        printf("%s: %s/%s: parent's FUTEX_WAKE returned %ld (expected 0)\n", GUEST_NAME,
               cases[i].where, flag_name(cases[i].flags), r[i]);
        if (r[i] != 0 && len < sizeof msg - 1) {
            int k = snprintf(msg + len, sizeof msg - len, "%s%s/%s wake returned %ld",
                             len ? ", " : "", cases[i].where, flag_name(cases[i].flags), r[i]);
            if (k > 0)
                len += (size_t)k;
        }
    }
    if (len)
        fail("isolation broken: the parent's wake reached the child's waiters (%s; child exit %d)",
             msg, code);
    if (code != 0)
        fail("child reported a problem (exit %d, see its lines above)", code);
    __asm__ volatile("" : : "r"(area) : "memory");
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
