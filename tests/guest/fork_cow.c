// guest: timeout=60
/*
 * fork_cow - after fork, parent and child each see only their own writes,
 * over many pages of every kind of private memory: main's stack, the brk
 * heap (raw brk), private anonymous mmap, and .data/.bss.
 *
 * Every page is filled with a pattern unique to (writer, region, page,
 * word). Odd pages are written first by the parent, even pages first by the
 * child (both orders of the COW fault: the first writer copies, the last one
 * reuses the frame), and every page is checked in full by both processes
 * after each step.
 */
#define GUEST_NAME "fork_cow"
#include "guest.h"

#include <sys/mman.h>

#define STACK_PAGES 8
#define BRK_PAGES 32
#define MMAP_PAGES 64
#define DATA_PAGES 16

enum { ORIG = 1, PARENT = 2, CHILD = 3 };

struct region { const char *name; uint64_t *base; int pages; };
static struct region regions[4];
static uint64_t data_area[DATA_PAGES][GUEST_PAGE / 8] __attribute__((aligned(GUEST_PAGE))) = { { 1 } };

static uint64_t pattern(int who, int r, int page, int word)
{
    uint64_t x = ((uint64_t)who << 56) ^ ((uint64_t)r << 48) ^ ((uint64_t)page << 20) ^ (uint64_t)word;
    return x * 0x9e3779b97f4a7c15ull;
}

static void fill(int who, int parity)
{
    for (int r = 0; r < 4; r++)
        for (int p = 0; p < regions[r].pages; p++) {
            if (parity >= 0 && (p & 1) != parity)
                continue;
            uint64_t *pg = regions[r].base + (size_t)p * (GUEST_PAGE / 8);
            for (int w = 0; w < GUEST_PAGE / 8; w++)
                pg[w] = pattern(who, r, p, w);
        }
}

/* Returns 0, or fills buf: every page must hold who_even / who_odd. */
static int verify(int who_even, int who_odd, char *buf, size_t len)
{
    for (int r = 0; r < 4; r++)
        for (int p = 0; p < regions[r].pages; p++) {
            int who = (p & 1) ? who_odd : who_even;
            uint64_t *pg = regions[r].base + (size_t)p * (GUEST_PAGE / 8);
            for (int w = 0; w < GUEST_PAGE / 8; w++)
                if (pg[w] != pattern(who, r, p, w)) {
                    int seen = 0;
                    for (int k = ORIG; k <= CHILD; k++)
                        if (pg[w] == pattern(k, r, p, w))
                            seen = k;
                    static const char *names[] = { "garbage", "original", "parent's", "child's" };
                    snprintf(buf, len, "%s page %d word %d holds the %s data, expected the %s",
                             regions[r].name, p, w, names[seen], names[who]);
                    return 1;
                }
        }
    return 0;
}

__attribute__((noinline)) static void run(void)
{
    char stack_area[(STACK_PAGES + 1) * GUEST_PAGE];
    uintptr_t sb = ((uintptr_t)stack_area + GUEST_PAGE - 1) & ~(uintptr_t)(GUEST_PAGE - 1);
    /* raw brk: this program never calls malloc, so nothing else moves the break */
    uintptr_t b0 = (uintptr_t)syscall(SYS_brk, 0);
    uintptr_t b0a = (b0 + GUEST_PAGE - 1) & ~(uintptr_t)(GUEST_PAGE - 1);
    uintptr_t b1 = (uintptr_t)syscall(SYS_brk, b0a + BRK_PAGES * GUEST_PAGE);
    if (b1 < b0a + BRK_PAGES * GUEST_PAGE)
        fail("brk(%#lx) = %#lx: could not grow the heap", (unsigned long)(b0a + BRK_PAGES * GUEST_PAGE),
             (unsigned long)b1);
    void *m = mmap(NULL, MMAP_PAGES * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    regions[0] = (struct region){ "stack", (uint64_t *)sb, STACK_PAGES };
    regions[1] = (struct region){ "brk", (uint64_t *)b0a, BRK_PAGES };
    regions[2] = (struct region){ "mmap", m, MMAP_PAGES };
    regions[3] = (struct region){ "data", &data_area[0][0], DATA_PAGES };

    char buf[200];
    fill(ORIG, -1);
    struct held_child c;
    if (held_fork(&c) == 0) {
        /* wait until the parent wrote the odd pages */
        if (!child_wait_release(&c))
            _exit(9);
        if (verify(ORIG, ORIG, buf, sizeof buf)) {
            child_say("after the parent wrote odd pages: %s", buf);
            _exit(2);
        }
        fill(CHILD, -1);
        if (verify(CHILD, CHILD, buf, sizeof buf)) {
            child_say("own writes: %s", buf);
            _exit(3);
        }
        child_signal(&c);
        if (!child_wait_release(&c))
            _exit(9);
        if (verify(CHILD, CHILD, buf, sizeof buf)) {
            child_say("after the parent wrote even pages: %s", buf);
            _exit(4);
        }
        _exit(0);
    }
    fill(PARENT, 1); /* parent first on odd pages */
    if (verify(ORIG, PARENT, buf, sizeof buf))
        fail("parent, own odd writes: %s", buf);
    parent_release(&c);
    parent_wait_ready(&c, "fork_cow"); /* the child has written every page */
    if (verify(ORIG, PARENT, buf, sizeof buf))
        fail("parent, after the child wrote every page: %s", buf);
    fill(PARENT, 0); /* even pages: the child already copied, the parent reuses */
    if (verify(PARENT, PARENT, buf, sizeof buf))
        fail("parent, own even writes: %s", buf);
    int code = held_finish(&c, "fork_cow");
    if (code != 0)
        fail("child exit %d (2: saw parent's writes, 3: own writes lost, 4: saw parent's later writes)",
             code);
    if (verify(PARENT, PARENT, buf, sizeof buf))
        fail("parent, after the child exited: %s", buf);
    printf("%s: %d pages (stack %d, brk %d, mmap %d, data %d) isolated both ways\n", GUEST_NAME,
           STACK_PAGES + BRK_PAGES + MMAP_PAGES + DATA_PAGES, STACK_PAGES, BRK_PAGES, MMAP_PAGES,
           DATA_PAGES);
    __asm__ volatile("" : : "r"(stack_area) : "memory");
}

int main(void)
{
    start_watchdog(50);
    run();
    pass();
}
