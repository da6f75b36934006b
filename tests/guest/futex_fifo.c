// guest: futex=all timeout=60
/*
 * futex_fifo - waiters on one word are woken in the order they queued:
 * 6 threads queue one after another, then FUTEX_WAKE(1) six times; each
 * wake must return 1 and wake exactly the oldest remaining waiter (Linux
 * queues equal-priority waiters FIFO). Runs with plain ops and with private
 * ops. (Mixing plain and private ops on one word is deliberately not
 * checked: Linux keys them apart - a plain wake does not reach a private
 * waiter, measured on Linux 6.18 - while stickyos keys them alike.)
 */
#define GUEST_NAME "futex_fifo"
#include "guest.h"

#define N 6
enum mode { PLAIN, PRIVATE };
static const char *mode_name[] = { "plain", "private" };

static int word;
static struct waiter w[N];

static void run(enum mode m)
{
    word = 0;
    for (int i = 0; i < N; i++) {
        w[i].index = i;
        waiter_start(&w[i], &word, 0, FUTEX_FLAGS(m == PRIVATE), 3000);
        waiter_settle(&w[i]);
    }
    for (int k = 0; k < N; k++) {
        long r = futex_wake(&word, 1, FUTEX_FLAGS(m == PRIVATE));
        if (r != 1)
            fail("%s: wake #%d returned %ld, expected 1", mode_name[m], k, r);
        if (!waiter_await(&w[k], 2000))
            for (int j = k + 1; j < N; j++)
                if (waiter_done(&w[j]))
                    fail("%s: wake #%d woke waiter %d instead of %d: not FIFO", mode_name[m], k,
                         j, k);
        if (!waiter_done(&w[k]))
            fail("%s: wake #%d: oldest waiter %d did not wake: lost wakeup", mode_name[m], k, k);
        if (w[k].result != 0)
            fail("%s: waiter %d returned %s", mode_name[m], k, errno_str(w[k].result));
        sleep_ms(5);
        for (int j = k + 1; j < N; j++)
            if (waiter_done(&w[j]))
                fail("%s: wake #%d (n=1) also woke waiter %d", mode_name[m], k, j);
    }
    for (int i = 0; i < N; i++)
        waiter_join(&w[i]);
    printf("%s: %s: %d waiters woken in FIFO order\n", GUEST_NAME, mode_name[m], N);
}

int main(void)
{
    start_watchdog(40);
    run(PLAIN);
    run(PRIVATE);
    pass();
}
