// guest: futex=all timeout=60
/*
 * futex_timeouts - futex timeouts are honoured, measured against the clock:
 *   - relative FUTEX_WAIT of 20 ms and 100 ms: ETIMEDOUT after at least the
 *     requested time and at most requested + SLACK_MS (generous: emulation);
 *   - absolute FUTEX_WAIT_BITSET on CLOCK_MONOTONIC and with
 *     FUTEX_CLOCK_REALTIME on CLOCK_REALTIME: returns at or after the
 *     deadline on that clock; a deadline in the past returns at once;
 *   - a wait woken early returns 0 long before its 5 s timeout.
 * Each with plain and FUTEX_PRIVATE_FLAG ops.
 */
#define GUEST_NAME "futex_timeouts"
#include "guest.h"

#define SLACK_MS 1500

static int64_t clock_ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec ns_to_ts(int64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
    return ts;
}

static void relative(int f, long ms)
{
    static int word;
    word = 3;
    int64_t t0 = clock_ns(CLOCK_MONOTONIC);
    long r = futex_wait_ms(&word, 3, f, ms);
    int64_t el = (clock_ns(CLOCK_MONOTONIC) - t0) / 1000;
    printf("%s: %s relative %ld ms: %s after %lld us\n", GUEST_NAME, flag_name(f), ms,
           errno_str(r), (long long)el);
    if (r != -ETIMEDOUT)
        fail("%s relative %ld ms wait returned %s, expected ETIMEDOUT", flag_name(f), ms,
             errno_str(r));
    if (el < ms * 1000)
        fail("%s relative %ld ms wait returned early, after %lld us", flag_name(f), ms,
             (long long)el);
    if (el > (ms + SLACK_MS) * 1000)
        fail("%s relative %ld ms wait took %lld us (> %d ms slack)", flag_name(f), ms,
             (long long)el, SLACK_MS);
}

static void absolute(int f, int realtime, long ms)
{
    static int word;
    word = 4;
    clockid_t clk = realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    int op = FUTEX_WAIT_BITSET | f | (realtime ? FUTEX_CLOCK_REALTIME : 0);
    const char *cn = realtime ? "REALTIME" : "MONOTONIC";
    int64_t start = clock_ns(clk);
    int64_t deadline = start + ms * 1000000LL;
    /* A deadline in the past must stay a valid timespec: CLOCK_MONOTONIC counts
     * from boot, and a guest may run less than a second after it. */
    if (deadline < 0)
        deadline = start / 2;
    struct timespec ts = ns_to_ts(deadline);
    long r = futex_raw(&word, op, 4, (long)&ts, NULL, (long)FUTEX_BITSET_MATCH_ANY);
    int64_t end = clock_ns(clk);
    printf("%s: %s absolute %s %+ld ms: %s, returned %lld us after the deadline\n", GUEST_NAME,
           flag_name(f), cn, ms, errno_str(r), (long long)((end - deadline) / 1000));
    if (r != -ETIMEDOUT)
        fail("%s WAIT_BITSET %s returned %s, expected ETIMEDOUT", flag_name(f), cn, errno_str(r));
    if (ms > 0 && end < deadline)
        fail("%s WAIT_BITSET %s returned %lld us before its absolute deadline", flag_name(f), cn,
             (long long)((deadline - end) / 1000));
    int64_t late_ms = (end - (ms > 0 ? deadline : start)) / 1000000;
    if (late_ms > SLACK_MS)
        fail("%s WAIT_BITSET %s returned %lld ms late", flag_name(f), cn, (long long)late_ms);
}

static void woken_early(int f)
{
    static int word;
    static struct waiter w;
    word = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        waiter_start(&w, &word, 0, f, 5000);
        waiter_settle(&w);
        uint64_t t0 = now_ns();
        long r = futex_wake(&word, 1, f);
        waiter_join(&w);
        uint64_t el = (w.woke_ns - t0) / 1000000;
        if (r == 0 && w.result == -ETIMEDOUT)
            continue; /* the waiter was not queued yet: retry */
        printf("%s: %s woken early: wake %ld, waiter %s after %llu ms\n", GUEST_NAME,
               flag_name(f), r, errno_str(w.result), (unsigned long long)el);
        if (r != 1 || w.result != 0 || el > 2000)
            fail("%s: early wake: wake %ld, waiter %s after %llu ms (5 s timeout)", flag_name(f), r,
                 errno_str(w.result), (unsigned long long)el);
        return;
    }
    fail("%s: waiter never queued", flag_name(f));
}

int main(void)
{
    start_watchdog(40);
    for (int i = 0; i < 2; i++) {
        int f = FUTEX_FLAGS(i);
        relative(f, 20);
        relative(f, 100);
        absolute(f, 0, 50);
        absolute(f, 1, 50);
        absolute(f, 0, -1000);
        absolute(f, 1, -1000);
        woken_early(f);
    }
    pass();
}
