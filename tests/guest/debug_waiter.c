/*
 * debug_waiter.c - a thread blocked in FUTEX_WAIT for a while, for the kernel
 * monitor's test (tools/testlib/debugtools.py sends Ctrl-\ m while it waits
 * and looks for the waiter in the report). On its own it checks that a
 * 3-second FUTEX_WAIT times out with ETIMEDOUT, not earlier.
 */
// guest: timeout=60
#define GUEST_NAME "debug_waiter"
#include "guest.h"

#include <sys/syscall.h>

int main(void)
{
    start_watchdog(30);
    static int word;   /* .bss: a private anonymous page */
    struct timespec timeout = { 3, 0 };
    printf("debug_waiter: waiting on futex %p for 3 s\n", (void *)&word);
    fflush(stdout);
    uint64_t t0 = now_ns();
    long r = syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &timeout, NULL, 0);
    uint64_t ms = (now_ns() - t0) / 1000000;
    if (r != -1 || errno != ETIMEDOUT)
        fail("FUTEX_WAIT returned %ld (errno %d), expected ETIMEDOUT", r, errno);
    if (ms < 3000)
        fail("FUTEX_WAIT timed out after %llu ms, before its 3 s timeout", (unsigned long long)ms);
    printf("debug_waiter: timed out after %llu ms\n", (unsigned long long)ms);
    pass();
}
