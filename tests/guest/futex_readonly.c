// guest: futex=all nosticky=fail timeout=60
/*
 * futex_readonly - a futex word on a read-only private page, after fork (the
 * page still shared with the child, which never writes it either).
 *
 * Linux 6.x: a plain (non-PRIVATE) op on a read-only private anonymous page
 * is EFAULT (such a page never changes, so a futex there means nothing):
 * the parent's FUTEX_WAIT, the child's and the parent's FUTEX_WAKE all fail.
 * A FUTEX_PRIVATE_FLAG op keys by (address space, address): the parent's
 * waiter blocks, the child's FUTEX_WAKE_PRIVATE on its own copy returns 0
 * and leaves it queued, the parent's own wake returns 1 and wakes it.
 *
 * nosticky keys both by the frame the two processes share: the child's wake
 * returns 1 and wakes the parent's waiter -> FAIL "isolation broken". The
 * verdict is strict: "isolation broken" only when that happens in both
 * cases; any other mix is an "unexpected result".
 */
#define GUEST_NAME "futex_readonly"
#include "guest.h"

#include <sys/mman.h>

enum outcome { AS_LINUX, BROKEN, OTHER };

static volatile int *page;

/* Child's wake result as an exit code (the child never prints PASS/FAIL). */
static int encode(long r) { return r == 0 ? 10 : r == 1 ? 11 : r == -EFAULT ? 12 : 13; }
static const char *decode(int code)
{
    return code == 10 ? "0" : code == 11 ? "1" : code == 12 ? "EFAULT" : code == 13 ? "something else" : "no result";
}

static enum outcome run_case(int flags, char *why, size_t len)
{
    volatile int *word = &page[flags ? 64 : 0];
    struct held_child c;
    if (held_fork(&c) == 0) {
        child_signal(&c);
        child_wait_release(&c);   /* the parent's waiter is queued (or failed) */
        _exit(encode(futex_wake(word, INT_MAX, flags)));
    }
    parent_wait_ready(&c, flag_name(flags));
    struct waiter w = { .index = flags ? 1 : 0 };
    waiter_start(&w, word, 0, flags, 4000);
    waiter_settle(&w);
    int early = waiter_done(&w);
    long early_result = w.result;
    int code = held_finish(&c, flag_name(flags));
    sleep_ms(20);
    int woken_by_child = !early && waiter_done(&w);
    long own = futex_wake(word, INT_MAX, flags);
    int returned = waiter_await(&w, 2000);
    long result = returned ? w.result : 1;
    if (returned)
        waiter_join(&w);
    snprintf(why, len, "%s: parent's FUTEX_WAIT %s, child's FUTEX_WAKE %s, waiter %s, parent's FUTEX_WAKE %ld, "
             "waiter %s", flag_name(flags), early ? errno_str(early_result) : "queued", decode(code),
             woken_by_child ? "woken by the child's wake" : early ? "-" : "still queued", own,
             returned ? errno_str(result) : "still blocked");
    printf("%s: %s\n", GUEST_NAME, why);
    if (!returned)
        fail("%s: the waiter is still blocked after every wake", flag_name(flags));
    if (flags == 0 && early && early_result == -EFAULT && code == 12 && own == -EFAULT)
        return AS_LINUX;
    if (flags != 0 && !early && code == 10 && !woken_by_child && own == 1 && result == 0)
        return AS_LINUX;
    if (!early && code == 11 && woken_by_child && result == 0)
        return BROKEN;
    return OTHER;
}

int main(void)
{
    start_watchdog(40);
    void *p = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    page = p;
    page[0] = 0;   /* present before the fork, so parent and child share its frame */
    if (mprotect(p, GUEST_PAGE, PROT_READ) != 0)
        fail("mprotect: %s", strerror(errno));

    char why[2][300];
    enum outcome plain = run_case(0, why[0], sizeof why[0]);
    enum outcome priv = run_case(FUTEX_PRIVATE_FLAG, why[1], sizeof why[1]);
    if (plain == BROKEN && priv == BROKEN)
        fail("isolation broken: the child's wake on its copy reached the parent's waiter (%s; %s)", why[0], why[1]);
    if (plain != AS_LINUX || priv != AS_LINUX)
        fail("unexpected result: %s; %s", why[0], why[1]);
    pass();
}
