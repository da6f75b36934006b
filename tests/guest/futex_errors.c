// guest: futex=all timeout=60
/*
 * futex_errors - futex(2) error returns, each with plain and
 * FUTEX_PRIVATE_FLAG ops (a TestEFault-style boundary walk included):
 *   EAGAIN     FUTEX_WAIT with a value mismatch (ordinary, demand-zero and
 *              read-only pages)
 *   ETIMEDOUT  FUTEX_WAIT with a zero / 1 ms timeout on a matching value, also
 *              on a never-touched demand-zero page and a read-only page
 *   EINVAL     misaligned address; tv_nsec >= 1e9, < 0, tv_sec < 0;
 *              WAIT_BITSET / WAKE_BITSET with bitset 0
 *   EFAULT     FUTEX_WAIT on NULL, on an unmapped page, on a PROT_NONE page,
 *              one word past the end of a mapping, and FUTEX_WAIT / FUTEX_WAKE
 *              on the kernel address 0xffff800000000000
 *   ENOSYS     unknown op 99, op 2 (FUTEX_FD, removed), FUTEX_WAKE with
 *              FUTEX_CLOCK_REALTIME
 * Every wait is bounded (a wrong "blocked" result shows as ETIMEDOUT, the
 * watchdog covers the rest).
 */
#define GUEST_NAME "futex_errors"
#include "guest.h"

#include <sys/mman.h>

static int nfailed, nchecks;

static void check(const char *name, int flags, long got, long want)
{
    nchecks++;
    if (got == want) {
        printf("check %-34s %-7s ok   (%s)\n", name, flag_name(flags), errno_str(want));
        return;
    }
    nfailed++;
    printf("check %-34s %-7s BAD  (got %ld %s, want %s)\n", name, flag_name(flags), got,
           got < 0 ? errno_str(got) : "", errno_str(want));
}

#define KERNEL_ADDR ((volatile int *)0xffff800000000000ull)

static void run(int f)
{
    static int word __attribute__((aligned(64)));
    struct timespec zero = { 0, 0 }, one_ms = { 0, 1000000 };
    word = 5;

    check("wait_value_mismatch_EAGAIN", f, futex_raw(&word, FUTEX_WAIT | f, 6, (long)&one_ms, 0, 0),
          -EAGAIN);
    check("wait_timeout_0_ETIMEDOUT", f, futex_raw(&word, FUTEX_WAIT | f, 5, (long)&zero, 0, 0),
          -ETIMEDOUT);
    check("wait_timeout_1ms_ETIMEDOUT", f, futex_raw(&word, FUTEX_WAIT | f, 5, (long)&one_ms, 0, 0),
          -ETIMEDOUT);
    check("wake_nobody_0", f, futex_wake(&word, 1, f), 0);

    /* EINVAL */
    check("wait_misaligned_EINVAL", f,
          futex_raw((char *)&word + 2, FUTEX_WAIT | f, 0, (long)&one_ms, 0, 0), -EINVAL);
    check("wake_misaligned_EINVAL", f, futex_raw((char *)&word + 1, FUTEX_WAKE | f, 1, 0, 0, 0),
          -EINVAL);
    struct timespec big = { 0, 1000000000L }, neg = { 0, -1 }, negsec = { -1, 0 };
    check("wait_nsec_1e9_EINVAL", f, futex_raw(&word, FUTEX_WAIT | f, 5, (long)&big, 0, 0), -EINVAL);
    check("wait_nsec_neg_EINVAL", f, futex_raw(&word, FUTEX_WAIT | f, 5, (long)&neg, 0, 0), -EINVAL);
    check("wait_sec_neg_EINVAL", f, futex_raw(&word, FUTEX_WAIT | f, 5, (long)&negsec, 0, 0),
          -EINVAL);
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec = (abs.tv_nsec + 1000000) % 1000000000L;
    check("wait_bitset_0_EINVAL", f,
          futex_raw(&word, FUTEX_WAIT_BITSET | f, 5, (long)&abs, 0, 0), -EINVAL);
    check("wake_bitset_0_EINVAL", f, futex_raw(&word, FUTEX_WAKE_BITSET | f, 1, 0, 0, 0), -EINVAL);

    /* EFAULT: boundary walk */
    check("wait_NULL_EFAULT", f, futex_raw(NULL, FUTEX_WAIT | f, 0, (long)&one_ms, 0, 0), -EFAULT);
    char *m = mmap(NULL, 4 * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    /*
     * pages 0 and 1: never touched (each demand-zero check gets its own, the
     * first check may fault its page in); page 2: PROT_NONE; page 3: unmapped
     */
    char *prot_none = m + 2 * GUEST_PAGE, *unmapped = m + 3 * GUEST_PAGE;
    if (mprotect(prot_none, GUEST_PAGE, PROT_NONE) != 0 || munmap(unmapped, GUEST_PAGE))
        fail("mprotect/munmap: %s", strerror(errno));
    volatile int *untouched_last = (volatile int *)(m + GUEST_PAGE - 4);
    check("wait_demand_zero_ETIMEDOUT", f,
          futex_raw(untouched_last, FUTEX_WAIT | f, 0, (long)&one_ms, 0, 0), -ETIMEDOUT);
    check("wait_demand_zero_mismatch_EAGAIN", f,
          futex_raw(m + GUEST_PAGE, FUTEX_WAIT | f, 1, (long)&one_ms, 0, 0), -EAGAIN);
    check("wait_PROT_NONE_EFAULT", f,
          futex_raw(prot_none, FUTEX_WAIT | f, 0, (long)&one_ms, 0, 0), -EFAULT);
    check("wait_unmapped_EFAULT", f,
          futex_raw(unmapped, FUTEX_WAIT | f, 0, (long)&one_ms, 0, 0), -EFAULT);
    check("wait_kernel_addr_EFAULT", f,
          futex_raw(KERNEL_ADDR, FUTEX_WAIT | f, 0, (long)&one_ms, 0, 0), -EFAULT);
    check("wake_kernel_addr_EFAULT", f, futex_raw(KERNEL_ADDR, FUTEX_WAKE | f, 1, 0, 0, 0), -EFAULT);
    munmap(m, 3 * GUEST_PAGE);

    /*
     * Read-only page: a private wait only reads the word. (Linux answers a
     * *plain* wait on a read-only anonymous page with EFAULT, an artefact of
     * its shared-key lookup; stickyos keys plain and private ops on private
     * memory alike, so that quirk is not checked.)
     */
    if (!(f & FUTEX_PRIVATE_FLAG))
        goto enosys;
    int *ro = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    ro[3] = 9;
    if (mprotect(ro, GUEST_PAGE, PROT_READ) != 0)
        fail("mprotect: %s", strerror(errno));
    check("wait_readonly_mismatch_EAGAIN", f, futex_raw(&ro[3], FUTEX_WAIT | f, 8, (long)&one_ms, 0, 0),
          -EAGAIN);
    check("wait_readonly_ETIMEDOUT", f, futex_raw(&ro[3], FUTEX_WAIT | f, 9, (long)&one_ms, 0, 0),
          -ETIMEDOUT);
    munmap(ro, GUEST_PAGE);

enosys:
    /* ENOSYS */
    check("op_99_ENOSYS", f, futex_raw(&word, 99 | f, 1, 0, 0, 0), -ENOSYS);
    check("op_2_FUTEX_FD_ENOSYS", f, futex_raw(&word, 2 | f, 1, 0, 0, 0), -ENOSYS);
    check("wake_CLOCK_REALTIME_ENOSYS", f,
          futex_raw(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME | f, 1, 0, 0, 0), -ENOSYS);
}

int main(void)
{
    start_watchdog(30);
    for (int i = 0; i < 2; i++)
        run(FUTEX_FLAGS(i));
    printf("%s: %d/%d checks ok\n", GUEST_NAME, nchecks - nfailed, nchecks);
    if (nfailed)
        fail("%d of %d futex errno checks failed", nfailed, nchecks);
    pass();
}
