// guest: futex=all timeout=60
/*
 * futex_private_vs_plain - a FUTEX_PRIVATE_FLAG operation and a plain one
 * on the same word are different futexes, as on Linux (which marks plain
 * keys on anonymous memory FUT_OFF_MMSHARED, and keys plain ops on shared
 * memory by the object, private ones by address space and address): a
 * FUTEX_WAKE_PRIVATE finds no plain FUTEX_WAIT on the word, and a plain
 * FUTEX_WAKE no FUTEX_WAIT_PRIVATE; the waiter stays queued, and the wake
 * of its own kind then returns 1 and wakes it. Both directions, on words in
 * .bss, on the stack, in private mmap and in MAP_SHARED memory.
 */
#define GUEST_NAME "futex_private_vs_plain"
#include "guest.h"

#include <sys/mman.h>

static int bss_word;

static void check(const char *where, volatile int *word, int wait_flags)
{
    int other = wait_flags ^ FUTEX_PRIVATE_FLAG;
    *word = 0;
    struct waiter w = { 0 };
    waiter_start(&w, word, 0, wait_flags, 4000);
    waiter_settle(&w);
    if (waiter_done(&w))
        fail("%s: %s waiter returned %s before any wake", where, flag_name(wait_flags), errno_str(w.result));
    long cross = futex_wake(word, INT_MAX, other);
    sleep_ms(20);
    int woken_by_cross = waiter_done(&w);
    long own = futex_wake(word, INT_MAX, wait_flags);
    int returned = waiter_await(&w, 2000);
    printf("%s: %s: %s wait, %s wake returned %ld (%s), %s wake returned %ld, waiter %s\n", GUEST_NAME, where,
           flag_name(wait_flags), flag_name(other), cross,
           woken_by_cross ? "the waiter woke" : "the waiter stayed", flag_name(wait_flags), own,
           returned ? errno_str(w.result) : "still blocked");
    if (!returned)
        fail("%s: the %s waiter is still blocked after its own kind of wake", where, flag_name(wait_flags));
    waiter_join(&w);
    if (cross != 0 || woken_by_cross)
        fail("%s: a %s FUTEX_WAKE reached a %s FUTEX_WAIT on the same word (returned %ld)", where,
             flag_name(other), flag_name(wait_flags), cross);
    if (own != 1 || w.result != 0)
        fail("%s: the %s wake returned %ld, waiter %s (expected 1 and 0)", where, flag_name(wait_flags), own,
             errno_str(w.result));
}

__attribute__((noinline)) static void run(void)
{
    volatile int stack_word[16];
    volatile int *private_map = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    volatile int *shared_map = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (private_map == MAP_FAILED || shared_map == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        int flags = FUTEX_FLAGS(i);
        check(".bss", &bss_word, flags);
        check("stack", &stack_word[3], flags);
        check("private mmap", private_map, flags);
        check("MAP_SHARED", shared_map, flags);
    }
}

int main(void)
{
    start_watchdog(40);
    run();
    pass();
}
