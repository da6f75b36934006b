// guest: timeout=60
/*
 * fork_generations - three generations share the same private pages (a
 * frame referenced by three processes) and each writes them:
 * G1 fills 24 pages (mmap) and 4 pages of .bss, forks G2, which forks G3.
 * Then, in turn (token ring through pipes): G3 writes every page, G1 writes
 * the even pages, G2 writes the pages whose index is a multiple of 3; after
 * each step the writer checks its own view. Finally every process checks its
 * whole view: its own pattern where it wrote, the original elsewhere.
 * Every refcount transition 3 -> 2 -> 1 is hit: copy, copy, then reuse.
 */
#define GUEST_NAME "fork_generations"
#include "guest.h"

#include <sys/mman.h>

#define MMAP_PAGES 24
#define DATA_PAGES 4
#define NPAGES (MMAP_PAGES + DATA_PAGES)

static uint64_t data_area[DATA_PAGES][GUEST_PAGE / 8] __attribute__((aligned(GUEST_PAGE)));
static uint64_t *pages[NPAGES];
static int gen; /* 1, 2, 3 */

static int writes(int g, int p)
{
    return g == 3 ? 1 : g == 1 ? (p % 2 == 0) : (p % 3 == 0);
}

static uint64_t pattern(int g, int p, int w)
{
    return (((uint64_t)g << 40) ^ ((uint64_t)p << 16) ^ (uint64_t)w) * 0xff51afd7ed558ccdull + g;
}

static void write_mine(void)
{
    for (int p = 0; p < NPAGES; p++)
        if (writes(gen, p))
            for (int w = 0; w < GUEST_PAGE / 8; w++)
                pages[p][w] = pattern(gen, p, w);
}

/* 0 if this generation's view is right; `written`: has it written yet. */
static int check_view(int written, char *buf, size_t len)
{
    for (int p = 0; p < NPAGES; p++) {
        int g = written && writes(gen, p) ? gen : 0;
        for (int w = 0; w < GUEST_PAGE / 8; w++)
            if (pages[p][w] != pattern(g, p, w)) {
                int who = -1;
                for (int k = 0; k <= 3; k++)
                    if (pages[p][w] == pattern(k, p, w))
                        who = k;
                snprintf(buf, len, "G%d page %d word %d: found %s%d's data, expected G%d's", gen, p,
                         w, who < 0 ? "garbage/G" : "G", who, g);
                return 1;
            }
    }
    return 0;
}

static int ring[3][2]; /* ring[i]: token to G(i+1) */

static void send(int to)
{
    char x = 't';
    if (write(ring[to - 1][1], &x, 1) != 1)
        _exit(20);
}

static int receive(void)
{
    char x;
    ssize_t n;
    while ((n = read(ring[gen - 1][0], &x, 1)) < 0 && errno == EINTR)
        ;
    return n == 1;
}

/* Body of every generation once all three exist. Returns an exit code. */
static int take_turns(void)
{
    char buf[200];
    /* order of writing: G3, G1, G2; then everybody verifies */
    int next = gen == 3 ? 1 : gen == 1 ? 2 : 3;
    if (gen != 3 && !receive())
        return 30;
    if (check_view(0, buf, sizeof buf)) {
        child_say("before writing: %s", buf);
        return 31;
    }
    write_mine();
    if (check_view(1, buf, sizeof buf)) {
        child_say("after own writes: %s", buf);
        return 32;
    }
    send(next); /* G2 writes last: its token (to G3) closes the round */
    if (gen == 3 && !receive())
        return 33; /* G3 waits for the end of the round */
    if (gen == 3) {
        send(1);   /* pass the final verification on: G3 -> G1 -> G2 */
    } else if (!receive()) {
        return 34;
    } else if (gen == 1) {
        send(2);
    }
    if (check_view(1, buf, sizeof buf)) {
        child_say("final view: %s", buf);
        return 35;
    }
    return 0;
}

int main(void)
{
    start_watchdog(50);
    uint64_t *m = mmap(NULL, MMAP_PAGES * GUEST_PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    for (int p = 0; p < MMAP_PAGES; p++)
        pages[p] = m + (size_t)p * (GUEST_PAGE / 8);
    for (int p = 0; p < DATA_PAGES; p++)
        pages[MMAP_PAGES + p] = data_area[p];
    for (int p = 0; p < NPAGES; p++)
        for (int w = 0; w < GUEST_PAGE / 8; w++)
            pages[p][w] = pattern(0, p, w);
    for (int i = 0; i < 3; i++)
        if (pipe(ring[i]) != 0)
            fail("pipe: %s", strerror(errno));

    gen = 1;
    fflush(stdout);
    pid_t g2 = fork();
    if (g2 < 0)
        fail("fork G2: %s", strerror(errno));
    if (g2 == 0) {
        gen = 2;
        pid_t g3 = fork();
        if (g3 < 0)
            _exit(40);
        if (g3 == 0) {
            gen = 3;
            _exit(take_turns());
        }
        int code = take_turns();
        int c3 = reap(g3, "G3");
        _exit(code ? code : c3 ? 50 + (c3 & 15) : 0);
    }
    int code = take_turns();
    int c2 = reap(g2, "G2");
    if (code)
        fail("G1 failed (code %d, see line above)", code);
    if (c2)
        fail("G2/G3 failed: exit %d (3x: G2's own code, 5x: G3's code 3x)", c2);
    printf("%s: 3 generations, %d pages: every process sees exactly its own writes\n", GUEST_NAME,
           NPAGES);
    pass();
}
