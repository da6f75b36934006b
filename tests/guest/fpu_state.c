// guest: timeout=60
/*
 * fpu_state - each thread's SSE and x87 state survives everything the kernel
 * does between its instructions: syscalls, preemption by the timer, switches
 * to other threads that use different values. Compiled C# in the kernel uses
 * XMM registers itself, so this is not automatic.
 *
 * Four threads each put their own pattern into all 16 XMM registers, their
 * own MXCSR rounding mode and x87 control word, and a value on the x87
 * stack; then, in asm that touches none of them, make syscalls and spin long
 * enough to be preempted, and check every register after each round.
 */
#define GUEST_NAME "fpu_state"
#include "guest.h"

#include <sys/syscall.h>

#define THREADS 4
#define ROUNDS 200

static volatile int failures;

static void load_xmm(const uint64_t (*p)[2])
{
    __asm__ volatile(
        "movdqu 0(%0), %%xmm0\n movdqu 16(%0), %%xmm1\n movdqu 32(%0), %%xmm2\n movdqu 48(%0), %%xmm3\n"
        "movdqu 64(%0), %%xmm4\n movdqu 80(%0), %%xmm5\n movdqu 96(%0), %%xmm6\n movdqu 112(%0), %%xmm7\n"
        "movdqu 128(%0), %%xmm8\n movdqu 144(%0), %%xmm9\n movdqu 160(%0), %%xmm10\n movdqu 176(%0), %%xmm11\n"
        "movdqu 192(%0), %%xmm12\n movdqu 208(%0), %%xmm13\n movdqu 224(%0), %%xmm14\n movdqu 240(%0), %%xmm15\n"
        : : "r"(p) : "memory");
}

/* Syscalls and a spin, with only general registers touched, then store XMM. */
static void kernel_work_then_store(uint64_t (*out)[2], long spins)
{
    __asm__ volatile(
        "mov $39, %%eax\n syscall\n"          /* getpid */
        "mov $24, %%eax\n syscall\n"          /* sched_yield: another thread runs */
        "1: dec %1\n jnz 1b\n"                /* long enough for the timer to preempt */
        "mov $39, %%eax\n syscall\n"
        "movdqu %%xmm0, 0(%0)\n movdqu %%xmm1, 16(%0)\n movdqu %%xmm2, 32(%0)\n movdqu %%xmm3, 48(%0)\n"
        "movdqu %%xmm4, 64(%0)\n movdqu %%xmm5, 80(%0)\n movdqu %%xmm6, 96(%0)\n movdqu %%xmm7, 112(%0)\n"
        "movdqu %%xmm8, 128(%0)\n movdqu %%xmm9, 144(%0)\n movdqu %%xmm10, 160(%0)\n movdqu %%xmm11, 176(%0)\n"
        "movdqu %%xmm12, 192(%0)\n movdqu %%xmm13, 208(%0)\n movdqu %%xmm14, 224(%0)\n movdqu %%xmm15, 240(%0)\n"
        : "+r"(out), "+r"(spins) : : "rax", "rcx", "r11", "memory");
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    uint64_t want[16][2], got[16][2];
    for (int r = 0; r < 16; r++) {
        want[r][0] = 0x0101010101010101ull * (uint64_t)(id + 1) ^ (uint64_t)r << 56;
        want[r][1] = ~want[r][0] + (uint64_t)id;
    }
    unsigned mxcsr = 0x1F80 | (unsigned)(id & 3) << 13;          /* rounding mode per thread */
    unsigned short fcw = (unsigned short)(0x037F & ~0x0300) | (unsigned short)((id & 3) << 8);  /* precision */
    long double x87 = 1000.0L + id;
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    __asm__ volatile("fldcw %0" : : "m"(fcw));
    __asm__ volatile("fldt %0" : : "m"(x87));                     /* stays on the x87 stack */
    for (int round = 0; round < ROUNDS && !failures; round++) {
        load_xmm((const uint64_t (*)[2])want);
        kernel_work_then_store(got, 200000 + 5000 * id);
        unsigned mx_now;
        unsigned short fcw_now;
        __asm__ volatile("stmxcsr %0" : "=m"(mx_now));
        __asm__ volatile("fnstcw %0" : "=m"(fcw_now));
        if (memcmp(want, got, sizeof want) != 0 || mx_now != mxcsr || fcw_now != fcw) {
            printf("%s: thread %d round %d: state changed (mxcsr %#x/%#x, fcw %#x/%#x, xmm %s)\n", GUEST_NAME,
                   id, round, mx_now, mxcsr, fcw_now, fcw, memcmp(want, got, sizeof want) ? "differ" : "ok");
            failures++;
        }
    }
    long double top;
    __asm__ volatile("fstpt %0" : "=m"(top));
    if (top != x87) {
        printf("%s: thread %d: x87 stack top changed\n", GUEST_NAME, id);
        failures++;
    }
    return NULL;
}

int main(void)
{
    start_watchdog(50);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) != 0)
            fail("pthread_create");
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    if (failures)
        fail("%d thread(s) saw their FPU/SSE state change", failures);
    printf("%s: %d threads x %d rounds of syscalls, yields and preemption: state intact\n", GUEST_NAME, THREADS, ROUNDS);
    pass();
}
