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
 *
 * The verdict is strict: "isolation broken" only if, in every case, the
 * parent's wake returned 1 and the child saw its waiter woken by someone
 * else (its own wake then found nobody); any other mix is an "unexpected
 * result". The child reports each case through a MAP_SHARED page.
 */
#define GUEST_NAME "futex_isolation"
#define GUEST_COW_SCENARIOS
#include "guest.h"

#include <sys/mman.h>

#define NCASES 4
static struct cow_case cases[NCASES];

/* What the child saw in each case (in a MAP_SHARED page, read by the parent). */
enum child_verdict { CHILD_NO_VERDICT, CHILD_ISOLATED, CHILD_WOKEN_BY_OTHER, CHILD_OTHER };
static const char *const verdict_name[] = { "no verdict (child died?)", "still queued, woken by the child",
                                            "woken by someone else", "unexpected (see child line)" };
static volatile int *verdicts;

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
        int done_before = waiter_done(w);
        long r = futex_wake(cases[i].word, INT_MAX, cases[i].flags);
        int woke = waiter_await(w, WAKE_DEADLINE_MS);
        long res = woke ? w->result : 1;
        enum child_verdict v;
        if (!done_before && r == 1 && woke && res == 0) {
            v = CHILD_ISOLATED;
        } else if (r == 0 && woke && res == 0) {
            /* dequeued before the child's own wake: the parent's wake reached it */
            v = CHILD_WOKEN_BY_OTHER;
            child_say("%s/%s: the waiter was woken before the child's own wake (which returned 0)",
                      cases[i].where, flag_name(cases[i].flags));
        } else {
            v = CHILD_OTHER;
            child_say("%s/%s: waiter %s before the child's wake, child's FUTEX_WAKE returned %ld "
                      "(expected 1), waiter %s %s", cases[i].where, flag_name(cases[i].flags),
                      done_before ? "returned" : "still queued", r, woke ? "returned" : "still blocked",
                      woke ? errno_str(res) : "");
        }
        verdicts[i] = v;
        if (v != CHILD_ISOLATED)
            bad = 1;
    }
    return bad;
}

__attribute__((noinline)) static void run(void)
{
    COW_STACK_AREA(area);
    if (cow_fill_cases(cases, COW_STACK | COW_MMAP, area, 1) != NCASES)
        fail("cow_fill_cases: case count");
    for (int i = 0; i < NCASES; i++)
        *cases[i].word = 0; /* present before the fork, so the frame is shared */
    verdicts = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (verdicts == MAP_FAILED)
        fail("mmap(MAP_SHARED): %s", strerror(errno));

    struct held_child c;
    if (held_fork(&c) == 0)
        _exit(child_main(&c));
    parent_wait_ready(&c, "isolation");
    cow_verify_pfn(cases, NCASES, c.pid, 1, 1);

    long r[NCASES];
    for (int i = 0; i < NCASES; i++)
        r[i] = futex_wake(cases[i].word, INT_MAX, cases[i].flags);
    int code = held_finish(&c, "isolation");

    char msg[400];
    size_t len = 0;
    int isolated = 0, broken = 0;
    msg[0] = 0;
    for (int i = 0; i < NCASES; i++) {
        int v = verdicts[i];
        const char *vn = v >= 0 && v <= CHILD_OTHER ? verdict_name[v] : "?";
        printf("%s: %s/%s: parent's FUTEX_WAKE returned %ld (expected 0), child's waiter: %s\n",
               GUEST_NAME, cases[i].where, flag_name(cases[i].flags), r[i], vn);
        if (r[i] == 0 && v == CHILD_ISOLATED) {
            isolated++;
            continue;
        }
        if (r[i] == 1 && v == CHILD_WOKEN_BY_OTHER)
            broken++;
        if (len < sizeof msg - 1) {
            int k = snprintf(msg + len, sizeof msg - len, "%s%s/%s: parent's wake returned %ld, child's "
                             "waiter %s", len ? "; " : "", cases[i].where, flag_name(cases[i].flags),
                             r[i], vn);
            if (k > 0)
                len += (size_t)k;
        }
    }
    if (broken == NCASES)
        fail("isolation broken: the parent's wake reached the child's waiters (%s)", msg);
    if (isolated != NCASES)
        fail("unexpected result: %s (child exit %d)", msg, code);
    if (code != 0)
        fail("unexpected result: child exit %d with every case isolated", code);
    COW_STACK_KEEP(area);
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
