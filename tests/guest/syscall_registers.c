// guest: timeout=60
/*
 * syscall_registers - what a syscall leaves in the registers, as Linux
 * defines it: rax holds the result, rcx the address of the instruction after
 * `syscall`, r11 the RFLAGS it was made with (and RFLAGS after the call are
 * those again), every other general register is unchanged. A kernel that
 * returns with sysret must keep exactly this; one that returns with iretq
 * must too.
 *
 * Each round loads a fresh pattern into rbx, rbp, rdx, rsi, rdi, r8-r10 and
 * r12-r15, sets or clears the carry flag, makes a getpid (or sched_yield:
 * another thread may run in between), and checks everything. A second
 * thread does the same, so switches between them happen in both directions.
 */
#define GUEST_NAME "syscall_registers"
#include "guest.h"

#include <sys/syscall.h>

#define ROUNDS 20000

/* Slots of the in/out array: the preserved registers, then what the call set. */
enum { RBX, RBP, RDX, RSI, RDI, R8, R9, R10, R12, R13, R14, R15, PRESERVED,
       RAX = PRESERVED, RCX, R11, FLAGS_BEFORE, FLAGS_AFTER, RETURN_ADDRESS, SLOTS };

/* syscall_probe(nr, carry, in[PRESERVED], out[SLOTS]) */
void syscall_probe(long nr, long carry, const uint64_t *in, uint64_t *out);
__asm__(
    ".text\n"
    ".globl syscall_probe\n"
    "syscall_probe:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  push %rcx\n"                          /* out */
    "  mov %rdi, %rax\n"                     /* nr */
    "  mov %rsi, %r11\n"                     /* carry */
    "  mov %rdx, %rcx\n"                     /* in */
    "  mov 0(%rcx), %rbx\n mov 8(%rcx), %rbp\n mov 16(%rcx), %rdx\n mov 24(%rcx), %rsi\n"
    "  mov 32(%rcx), %rdi\n mov 40(%rcx), %r8\n mov 48(%rcx), %r9\n mov 56(%rcx), %r10\n"
    "  mov 64(%rcx), %r12\n mov 72(%rcx), %r13\n mov 80(%rcx), %r14\n mov 88(%rcx), %r15\n"
    "  test %r11, %r11\n"
    "  clc\n"
    "  jz 1f\n"
    "  stc\n"
    "1:\n"
    "  pushfq\n"                             /* the flags the syscall is made with */
    "  syscall\n"
    "2:\n"
    "  pushfq\n"                             /* and the flags it returned with */
    "  push %rax\n"
    "  mov 24(%rsp), %rax\n"                 /* out (above the two flags and rax) */
    "  mov %rbx, 0(%rax)\n mov %rbp, 8(%rax)\n mov %rdx, 16(%rax)\n mov %rsi, 24(%rax)\n"
    "  mov %rdi, 32(%rax)\n mov %r8, 40(%rax)\n mov %r9, 48(%rax)\n mov %r10, 56(%rax)\n"
    "  mov %r12, 64(%rax)\n mov %r13, 72(%rax)\n mov %r14, 80(%rax)\n mov %r15, 88(%rax)\n"
    "  mov %rcx, 104(%rax)\n mov %r11, 112(%rax)\n"
    "  pop %rcx\n mov %rcx, 96(%rax)\n"     /* rax: the result */
    "  pop %rcx\n mov %rcx, 128(%rax)\n"    /* flags after */
    "  pop %rcx\n mov %rcx, 120(%rax)\n"    /* flags before */
    "  lea 2b(%rip), %rcx\n mov %rcx, 136(%rax)\n"
    "  pop %rcx\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

static const char *const names[PRESERVED] = { "rbx", "rbp", "rdx", "rsi", "rdi", "r8", "r9", "r10",
                                              "r12", "r13", "r14", "r15" };

#define CF 0x1ull

static void rounds(uint64_t seed)
{
    uint64_t in[PRESERVED], out[SLOTS];
    for (int round = 0; round < ROUNDS; round++) {
        for (int r = 0; r < PRESERVED; r++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            in[r] = seed ^ ((uint64_t)r << 56);
        }
        long nr = round % 16 == 0 ? SYS_sched_yield : SYS_getpid;
        long carry = round & 1;
        syscall_probe(nr, carry, in, out);
        for (int r = 0; r < PRESERVED; r++)
            if (out[r] != in[r])
                fail("round %d: %s changed by the syscall: %#llx, was %#llx", round, names[r],
                     (unsigned long long)out[r], (unsigned long long)in[r]);
        if (nr == SYS_getpid && (long)out[RAX] != getpid())
            fail("round %d: getpid returned %lld", round, (long long)out[RAX]);
        if (out[RCX] != out[RETURN_ADDRESS])
            fail("round %d: rcx %#llx, expected the return address %#llx", round,
                 (unsigned long long)out[RCX], (unsigned long long)out[RETURN_ADDRESS]);
        if (out[R11] != out[FLAGS_BEFORE])
            fail("round %d: r11 %#llx, expected the flags at the syscall %#llx", round,
                 (unsigned long long)out[R11], (unsigned long long)out[FLAGS_BEFORE]);
        if (out[FLAGS_AFTER] != out[FLAGS_BEFORE])
            fail("round %d: flags after the syscall %#llx, before %#llx", round,
                 (unsigned long long)out[FLAGS_AFTER], (unsigned long long)out[FLAGS_BEFORE]);
        if ((out[FLAGS_BEFORE] & CF) != (uint64_t)carry)
            fail("round %d: the probe did not set the carry flag as asked", round);
    }
}

static void *second(void *arg)
{
    rounds((uint64_t)(uintptr_t)arg);
    return NULL;
}

int main(void)
{
    start_watchdog(50);
    pthread_t t;
    if (pthread_create(&t, NULL, second, (void *)(uintptr_t)0x5eed))
        fail("pthread_create");
    rounds(0xfeed);
    pthread_join(t, NULL);
    printf("%d rounds in each of two threads: registers as Linux leaves them\n", ROUNDS);
    pass();
}
