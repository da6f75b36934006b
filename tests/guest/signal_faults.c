// guest: timeout=60
/*
 * signal_faults - faults go to handlers: SIGSEGV with si_addr (the faulting
 * address) and SEGV_MAPERR or SEGV_ACCERR, the sigcontext's cr2 and rip; a
 * handler that returns after fixing the context (moving rip past the
 * faulting instruction) resumes the program; siglongjmp out of a SIGFPE
 * handler; on an alternate stack (SA_ONSTACK + sigaltstack), where a stack
 * overflow can still be caught; a handler that faults itself, and a fault
 * while the signal is blocked, kill the process with SIGSEGV; a bad
 * rt_sigreturn frame kills it too.
 */
#define GUEST_NAME "signal_faults"
#include "guest.h"

#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

static volatile int hits;
static volatile void *fault_addr;
static volatile int fault_code;
static volatile unsigned long ctx_cr2, ctx_rip;
static sigjmp_buf jump;
static char *alt;
static volatile int on_alt;

static void on_segv_skip(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    ucontext_t *uc = ucv;
    hits++;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    ctx_cr2 = uc->uc_mcontext.gregs[REG_CR2];
    ctx_rip = uc->uc_mcontext.gregs[REG_RIP];
    /* The faulting load is `movl (%rax), %eax` (2 bytes, see below): skip it. */
    uc->uc_mcontext.gregs[REG_RIP] += 2;
    uc->uc_mcontext.gregs[REG_RAX] = 1234;
}

static void on_fault_jump(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    char probe;
    on_alt = alt && &probe >= alt && &probe < alt + 65536;
    siglongjmp(jump, sig);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        fail("sigaction: %s", strerror(errno));
}

__attribute__((noinline)) static int load_at(volatile int *p)
{
    int v;
    __asm__ volatile("movl (%1), %0" : "=a"(v) : "a"(p) : "memory");
    return v;
}

static volatile int zero;
__attribute__((noinline)) static int recurse(int n)
{
    volatile char pad[4096];
    pad[0] = (char)n;
    if (n < 0 || zero > 1)   /* never: keeps the compiler from calling this endless */
        return 0;
    return recurse(n + 1) + pad[0];
}

__attribute__((noinline)) static int divide_by(int d)
{
    int q = 1000, r = 0;
    __asm__ volatile("cltd\n\tidivl %2" : "+a"(q), "=&d"(r) : "r"(d));
    return q;
}

static void on_segv_fault_again(int sig)
{
    (void)sig;
    hits++;
    load_at((volatile int *)16);   /* SIGSEGV is blocked in its own handler: this kills */
}

static int child_status(void (*body)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        body();
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        fail("waitpid: %s", strerror(errno));
    return st;
}

static void faulting_handler(void)
{
    signal(SIGSEGV, on_segv_fault_again);
    load_at((volatile int *)8);
}

static void blocked_fault(void)
{
    install(SIGSEGV, on_segv_skip, 0);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    sigprocmask(SIG_BLOCK, &s, NULL);
    load_at((volatile int *)8);
}

static void bad_sigreturn(void)
{
    /* rt_sigreturn with a stack that holds no frame: the frame read faults. */
    signal(SIGSEGV, SIG_DFL);
    __asm__ volatile("mov $8, %%rsp\n\tmov $15, %%eax\n\tsyscall" ::: "memory");
}

int main(void)
{
    start_watchdog(50);

    /* A handler that fixes the context and returns: the program goes on. */
    install(SIGSEGV, on_segv_skip, 0);
    int v = load_at((volatile int *)0x10);
    expect_eq(hits, 1);
    expect_eq(v, 1234);
    expect_true(fault_addr == (void *)0x10);
    expect_eq(fault_code, SEGV_MAPERR);
    expect_eq(ctx_cr2, 0x10);
    expect_true(ctx_rip > (unsigned long)load_at && ctx_rip < (unsigned long)load_at + 64);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    __asm__ volatile("movl (%1), %0" : "=a"(v) : "a"(ro));   /* readable */
    hits = 0;
    install(SIGSEGV, on_fault_jump, 0);
    if (sigsetjmp(jump, 1) == 0) {
        *(volatile int *)(ro + 8) = 1;
        fail("write to a read-only page did not fault");
    }
    expect_eq(hits, 1);
    expect_true(fault_addr == ro + 8);
    expect_eq(fault_code, SEGV_ACCERR);
    printf("%s: SIGSEGV handler: si_addr, SEGV_MAPERR/SEGV_ACCERR, cr2, returning with a fixed rip\n", GUEST_NAME);

    /* SIGFPE, left with siglongjmp. */
    install(SIGFPE, on_fault_jump, 0);
    hits = 0;
    if (sigsetjmp(jump, 1) == 0) {
        divide_by(zero);
        fail("1/0 did not trap");
    }
    expect_eq(hits, 1);
    expect_eq(fault_code, FPE_INTDIV);
    /* The mask was restored by siglongjmp: a second one works too. */
    if (sigsetjmp(jump, 1) == 0) {
        divide_by(zero);
    }
    expect_eq(hits, 2);
    printf("%s: SIGFPE twice through siglongjmp\n", GUEST_NAME);

    /* Stack overflow caught on the alternate stack. */
    alt = malloc(65536);
    stack_t ss = { .ss_sp = alt, .ss_size = 65536, .ss_flags = 0 };
    expect_eq(sigaltstack(&ss, NULL), 0);
    install(SIGSEGV, on_fault_jump, SA_ONSTACK);
    hits = 0;
    if (sigsetjmp(jump, 1) == 0)
        recurse(0);
    expect_eq(hits, 1);
    expect_eq(on_alt, 1);
    printf("%s: stack overflow caught on the alternate stack\n", GUEST_NAME);

    /* Deaths. */
    int st = child_status(faulting_handler);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
        fail("a faulting SIGSEGV handler: status 0x%x, expected death by SIGSEGV", st);
    st = child_status(blocked_fault);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
        fail("a fault with SIGSEGV blocked: status 0x%x, expected death by SIGSEGV", st);
    st = child_status(bad_sigreturn);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
        fail("rt_sigreturn with a bad frame: status 0x%x, expected death by SIGSEGV", st);
    printf("%s: a faulting handler, a blocked fault and a bad sigreturn frame are SIGSEGV deaths\n", GUEST_NAME);
    pass();
}
