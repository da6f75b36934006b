// guest: futex=all timeout=60
/*
 * futex_ops - FUTEX_WAKE_OP, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE and the
 * WAIT_BITSET/WAKE_BITSET filter, each with plain and private ops:
 *   - WAKE_OP: the op is applied to *uaddr2 (SET, ADD, OR, ANDN, XOR, with
 *     and without OPARG_SHIFT); waiters on uaddr1 are woken, and waiters on
 *     uaddr2 too iff the comparison of the *old* value holds; the return
 *     value is the total woken;
 *   - REQUEUE(nr_wake=1, nr_requeue=2) of 4 waiters: returns 3 (woken +
 *     requeued, as Linux counts), the oldest wakes, 2 move to the second
 *     word (a wake there finds exactly 2), 1 stays;
 *   - CMP_REQUEUE with a stale value: EAGAIN and nothing moves; with the
 *     right value: as REQUEUE;
 *   - WAKE_BITSET only wakes waiters whose bitset intersects.
 */
#define GUEST_NAME "futex_ops"
#include "guest.h"

#define OP_SET 0
#define OP_ADD 1
#define OP_OR 2
#define OP_ANDN 3
#define OP_XOR 4
#define OP_SHIFT 8
#define CMP_EQ 0
#define CMP_NE 1
#define CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg)                                                    \
    ((long)((((unsigned)(op)&0xf) << 28) | (((unsigned)(cmp)&0xf) << 24) |                  \
            (((unsigned)(oparg)&0xfff) << 12) | ((unsigned)(cmparg)&0xfff)))

#define WAKE_DEADLINE_MS_OPS 2000

static int a_word, b_word;
static struct waiter w[4], v;
static const char *fl;

static long wake_op(int f, int n1, int n2, long op)
{
    return futex_raw(&a_word, FUTEX_WAKE_OP | f, n1, n2, &b_word, op);
}

static void expect_woken(struct waiter *x, const char *what)
{
    if (!waiter_await(x, WAKE_DEADLINE_MS_OPS) || x->result != 0)
        fail("%s %s: waiter %d not woken (%s): lost wakeup", fl, what, x->index,
             waiter_done(x) ? errno_str(x->result) : "still waiting");
}

static void expect_waiting(struct waiter *x, const char *what)
{
    sleep_ms(20);
    if (waiter_done(x))
        fail("%s %s: waiter %d woke (%s) but should still wait", fl, what, x->index,
             errno_str(x->result));
}

#define CHECK_EQ(what, got, want)                                                           \
    do {                                                                                    \
        long _g = (got), _w = (want);                                                       \
        if (_g != _w)                                                                       \
            fail("%s %s: got %ld (%s), expected %ld", fl, what, _g, _g < 0 ? errno_str(_g) : "", \
                 _w);                                                                       \
    } while (0)

static void start(struct waiter *x, int *word, int val, int f, int index)
{
    x->index = index;
    x->op = 0;
    waiter_start(x, word, val, f, 3000);
    waiter_settle(x);
}

static void test_wake_op(int f)
{
    /* comparison true: both woken */
    a_word = 0;
    b_word = 0;
    start(&w[0], &a_word, 0, f, 0);
    start(&v, &b_word, 0, f, 1);
    CHECK_EQ("WAKE_OP SET 5, old==0 -> woken", wake_op(f, 1, 1, FUTEX_OP(OP_SET, 5, CMP_EQ, 0)), 2);
    CHECK_EQ("WAKE_OP SET 5: *uaddr2", b_word, 5);
    expect_woken(&w[0], "WAKE_OP true");
    expect_woken(&v, "WAKE_OP true");
    waiter_join(&w[0]);
    waiter_join(&v);

    /* comparison false: only uaddr1 woken */
    start(&w[0], &a_word, 0, f, 0);
    start(&v, &b_word, 5, f, 1);
    CHECK_EQ("WAKE_OP ADD 1, old==0 false -> woken", wake_op(f, 1, 1, FUTEX_OP(OP_ADD, 1, CMP_EQ, 0)),
             1);
    CHECK_EQ("WAKE_OP ADD 1: *uaddr2", b_word, 6);
    expect_woken(&w[0], "WAKE_OP false");
    expect_waiting(&v, "WAKE_OP false");
    CHECK_EQ("wake the uaddr2 waiter", futex_wake(&b_word, 1, f), 1);
    expect_woken(&v, "WAKE_OP false, later wake");
    waiter_join(&w[0]);
    waiter_join(&v);

    /* arithmetic, no waiters: returns 0 */
    b_word = 0x10;
    CHECK_EQ("WAKE_OP OR", wake_op(f, 1, 1, FUTEX_OP(OP_OR, 3, CMP_GT, 0)), 0);
    CHECK_EQ("OR 3: *uaddr2", b_word, 0x13);
    CHECK_EQ("WAKE_OP ANDN", wake_op(f, 1, 1, FUTEX_OP(OP_ANDN, 1, CMP_NE, 0)), 0);
    CHECK_EQ("ANDN 1: *uaddr2", b_word, 0x12);
    CHECK_EQ("WAKE_OP XOR", wake_op(f, 1, 1, FUTEX_OP(OP_XOR, 0xff, CMP_EQ, 0)), 0);
    CHECK_EQ("XOR 0xff: *uaddr2", b_word, 0xed);
    CHECK_EQ("WAKE_OP SET|SHIFT", wake_op(f, 1, 1, FUTEX_OP(OP_SET | OP_SHIFT, 4, CMP_EQ, 0)), 0);
    CHECK_EQ("SET 1<<4: *uaddr2", b_word, 16);
    CHECK_EQ("WAKE_OP ADD|SHIFT", wake_op(f, 1, 1, FUTEX_OP(OP_ADD | OP_SHIFT, 3, CMP_EQ, 0)), 0);
    CHECK_EQ("ADD 1<<3: *uaddr2", b_word, 24);
    printf("%s: %s WAKE_OP ok\n", GUEST_NAME, fl);
}

/* 4 waiters on a_word; requeue 1 woken + 2 moved to b_word. */
static void test_requeue(int f, int cmp)
{
    const char *name = cmp ? "CMP_REQUEUE" : "REQUEUE";
    a_word = 0;
    b_word = 0;
    for (int i = 0; i < 4; i++)
        start(&w[i], &a_word, 0, f, i);
    if (cmp) {
        CHECK_EQ("CMP_REQUEUE stale value -> EAGAIN",
                 futex_raw(&a_word, FUTEX_CMP_REQUEUE | f, 1, 2, &b_word, 1), -EAGAIN);
        expect_waiting(&w[0], "CMP_REQUEUE stale value");
    }
    long r = cmp ? futex_raw(&a_word, FUTEX_CMP_REQUEUE | f, 1, 2, &b_word, 0)
                 : futex_raw(&a_word, FUTEX_REQUEUE | f, 1, 2, &b_word, 0);
    printf("%s: %s %s(1 wake, 2 requeue) returned %ld\n", GUEST_NAME, fl, name, r);
    CHECK_EQ(name, r, 3);
    expect_woken(&w[0], name);
    expect_waiting(&w[1], name);
    for (int i = 1; i < 4; i++)
        if (waiter_done(&w[i]))
            fail("%s %s: waiter %d woke too", fl, name, i);
    CHECK_EQ("wake the requeued word", futex_wake(&b_word, INT_MAX, f), 2);
    expect_woken(&w[1], "requeued");
    expect_woken(&w[2], "requeued");
    expect_waiting(&w[3], "left behind");
    CHECK_EQ("wake the original word", futex_wake(&a_word, INT_MAX, f), 1);
    expect_woken(&w[3], "left behind");
    for (int i = 0; i < 4; i++)
        waiter_join(&w[i]);
    printf("%s: %s %s ok\n", GUEST_NAME, fl, name);
}

static void test_bitset(int f)
{
    a_word = 0;
    v.index = 0;
    v.op = FUTEX_WAIT_BITSET;
    v.bitset = 0x1;
    waiter_start(&v, &a_word, 0, f, 3000);
    waiter_settle(&v);
    CHECK_EQ("WAKE_BITSET 0x2 (no match)",
             futex_raw(&a_word, FUTEX_WAKE_BITSET | f, 1, 0, NULL, 0x2), 0);
    expect_waiting(&v, "WAKE_BITSET no match");
    CHECK_EQ("WAKE_BITSET 0x3 (match)", futex_raw(&a_word, FUTEX_WAKE_BITSET | f, 1, 0, NULL, 0x3),
             1);
    expect_woken(&v, "WAKE_BITSET match");
    waiter_join(&v);
    v.op = 0;
    printf("%s: %s BITSET ok\n", GUEST_NAME, fl);
}

int main(void)
{
    start_watchdog(40);
    for (int i = 0; i < 2; i++) {
        int f = FUTEX_FLAGS(i);
        fl = flag_name(f);
        test_wake_op(f);
        test_requeue(f, 0);
        test_requeue(f, 1);
        test_bitset(f);
    }
    pass();
}
