// guest: futex=all timeout=90
/*
 * futex_torn_fork - fork must give the child a consistent snapshot of a
 * page that other parent threads are writing at that moment, when the page
 * is pinned by a futex waiter (under `sticky` such a page is copied eagerly
 * at fork: the parent's PTE must be write-protected and its TLB entry
 * flushed *before* the copy, or the child gets a torn page - Linux had this
 * bug in 2025). Also catches a fork that forgets to flush the parent's TLB
 * under plain COW (the child's copy keeps changing).
 *
 * Two pages, each pinned by a thread blocked in FUTEX_WAIT on its first word
 * (page 0 plain op, page 1 private op). WRITERS threads write both pages
 * continuously: generation v is written as a fixed sequence of stores, half
 * of them in "lo then hi" pairs (the halves of the page far apart), half in
 * "hi then lo" pairs, so whatever the order of the kernel's copy, a copy
 * racing with a writer breaks the invariant that holds for any instant:
 * along the writer's store sequence the values are non-increasing and span
 * at most one generation (a prefix has v, the rest v-1).
 * Main forks FORKS times; each child checks every writer's sequence in both
 * pages, then checks its copy does not change over 5 ms.
 *
 * Passes under every design: the pinning waiters are never expected to wake
 * (they are killed by exit_group at the end), so nosticky's lost wakeups do
 * not matter here.
 */
#define GUEST_NAME "futex_torn_fork"
#include "guest.h"

#define WRITERS 3
#define PAIRS 8
#define FORKS 40
#define WORDS (GUEST_PAGE / 8)

static volatile uint64_t pages[2][WORDS] __attribute__((aligned(GUEST_PAGE)));
static volatile int stop;
static volatile uint64_t progress[WRITERS];
static struct waiter pin[2];

/* The writer's store sequence: index of the k-th store of writer j. */
static int store_index(int j, int k)
{
    int p = k / 2, second = k & 1;
    int base = 16 + j * 2 * PAIRS;
    if (p < PAIRS) /* "lo then hi" pairs */
        return base + p + (second ? WORDS / 2 : 0);
    p -= PAIRS;    /* "hi then lo" pairs */
    return base + PAIRS + p + (second ? 0 : WORDS / 2);
}
#define STORES (4 * PAIRS)

static void *writer_main(void *arg)
{
    int j = (int)(intptr_t)arg;
    int idx[STORES];
    for (int k = 0; k < STORES; k++)
        idx[k] = store_index(j, k);
    uint64_t v = 0;
    while (!stop) {
        v++;
        for (int pg = 0; pg < 2; pg++)
            for (int k = 0; k < STORES; k++) {
                pages[pg][idx[k]] = v;
                __asm__ volatile("" ::: "memory");
            }
        progress[j] = v;
    }
    return NULL;
}

/* In the child: 0 if consistent, else a description in buf. */
static int check_snapshot(const uint64_t *snap, int pg, char *buf, size_t len)
{
    for (int j = 0; j < WRITERS; j++) {
        uint64_t first = snap[store_index(j, 0)], prev = first;
        for (int k = 1; k < STORES; k++) {
            uint64_t x = snap[store_index(j, k)];
            if (x > prev || first - x > 1) {
                snprintf(buf, len, "page %d writer %d: store %d has generation %llu after %llu "
                         "(first %llu): torn copy", pg, j, k, (unsigned long long)x,
                         (unsigned long long)prev, (unsigned long long)first);
                return 1;
            }
            prev = x;
        }
    }
    return 0;
}

static int child_main(void)
{
    static uint64_t snap[2][WORDS];
    char buf[200];
    for (int pg = 0; pg < 2; pg++) {
        for (int i = 0; i < WORDS; i++)
            snap[pg][i] = pages[pg][i];
        if (check_snapshot(snap[pg], pg, buf, sizeof buf)) {
            child_say("%s", buf);
            return 2;
        }
    }
    sleep_ms(5);
    for (int pg = 0; pg < 2; pg++)
        for (int i = 0; i < WORDS; i++)
            if (pages[pg][i] != snap[pg][i]) {
                child_say("page %d word %d changed from %llu to %llu after fork: the parent's "
                          "writes reach the child's copy", pg, i, (unsigned long long)snap[pg][i],
                          (unsigned long long)pages[pg][i]);
                return 3;
            }
    return 0;
}

int main(void)
{
    start_watchdog(80);
    for (int pg = 0; pg < 2; pg++) {
        pin[pg].index = pg;
        /* a long timeout: the pin must outlive every fork; exit_group ends it */
        waiter_start(&pin[pg], (volatile int *)&pages[pg][0], 0, FUTEX_FLAGS(pg), 60000);
        waiter_settle(&pin[pg]);
    }
    pthread_t th[WRITERS];
    for (int j = 0; j < WRITERS; j++)
        if (pthread_create(&th[j], NULL, writer_main, (void *)(intptr_t)j) != 0)
            fail("pthread_create writer");
    sleep_ms(10);

    uint64_t t0 = now_ns();
    for (int f = 0; f < FORKS; f++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            fail("fork %d: %s", f, strerror(errno));
        if (pid == 0)
            _exit(child_main());
        int code = reap(pid, "torn fork");
        if (code == 2)
            fail("fork %d: the child's copy of a pinned page is torn (see child line)", f);
        if (code == 3)
            fail("fork %d: the child's copy changed after fork (parent TLB not flushed?)", f);
        if (code != 0)
            fail("fork %d: child exit %d", f, code);
    }
    uint64_t before[WRITERS];
    for (int j = 0; j < WRITERS; j++)
        before[j] = progress[j];
    sleep_ms(20);
    stop = 1;
    for (int j = 0; j < WRITERS; j++) {
        pthread_join(th[j], NULL);
        if (progress[j] == before[j])
            fail("writer %d made no progress after the forks", j);
    }
    for (int pg = 0; pg < 2; pg++)
        if (waiter_done(&pin[pg]))
            fail("pinning waiter %d returned %s early", pg, errno_str(pin[pg].result));
    printf("%s: %d forks with %d writers on 2 pinned pages, all snapshots consistent (%llu ms), "
           "writer generations %llu %llu %llu\n", GUEST_NAME, FORKS, WRITERS,
           (unsigned long long)ms_since(t0), (unsigned long long)progress[0],
           (unsigned long long)progress[1], (unsigned long long)progress[2]);
    pass();
}
