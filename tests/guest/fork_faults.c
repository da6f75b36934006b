// guest: timeout=90
/*
 * fork_faults - a child that faults is killed with the Linux default-action
 * signal, and the parent carries on. Each case runs in its own child
 * (RLIMIT_CORE = 0: no core files); the parent checks WIFSIGNALED and
 * WTERMSIG:
 *   NULL dereference -> SIGSEGV      write to a read-only page -> SIGSEGV
 *   write to .text -> SIGSEGV        non-canonical address -> SIGSEGV (#GP)
 *   ud2 -> SIGILL                    integer divide by zero -> SIGFPE
 *   INT_MIN / -1 -> SIGFPE           int3 -> SIGTRAP
 *   hlt, cli (privileged, #GP) -> SIGSEGV
 *   jump into a non-executable page -> SIGSEGV
 *   stack overflow (main thread) -> SIGSEGV
 * After all of them, a normal child still exits 0.
 */
#define GUEST_NAME "fork_faults"
#include "guest.h"

#include <sys/mman.h>
#include <sys/resource.h>

static volatile int zero = 0, minus_one = -1, int_min = INT_MIN;

static void null_deref(void) { *(volatile int *)(uintptr_t)zero = 1; }

static void write_readonly(void)
{
    volatile int *p = mmap(NULL, GUEST_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(90);
    *p = 1;
}

static void write_text(void) { *(volatile char *)(uintptr_t)&write_text = 0; }

static void noncanonical(void) { *(volatile int *)0x0000800000000000ull = 1; }

static void ud2(void) { __asm__ volatile("ud2"); }

static void divide_by_zero(void)
{
    /* asm: GCC turns 1 / x into a comparison that never traps */
    unsigned a = 1, d = 0, z = (unsigned)zero;
    __asm__ volatile("divl %2" : "+a"(a), "+d"(d) : "r"(z));
}

static void int_min_div(void)
{
    volatile int x = int_min / minus_one;
    (void)x;
}

static void int3(void) { __asm__ volatile("int3"); }

static void hlt(void) { __asm__ volatile("hlt"); }

static void cli(void) { __asm__ volatile("cli"); }

static void jump_nx(void)
{
    unsigned char *p = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    if (p == MAP_FAILED)
        _exit(90);
    p[0] = 0xc3; /* ret: would return harmlessly if the page were executable */
    ((void (*)(void))p)();
}

__attribute__((noinline)) static int recurse(int n)
{
    volatile char frame[1024];
    frame[0] = (char)n;
    if (n == minus_one) /* never: keeps the compiler from calling it infinite */
        return 0;
    return recurse(n + 1) + frame[0];
}

static void stack_overflow(void)
{
    /* Bound the damage on Linux (8 MB default); stickyos may ignore this. */
    struct rlimit rl = { 1 << 20, 1 << 20 };
    setrlimit(RLIMIT_STACK, &rl);
    recurse(0);
}

struct fcase { const char *name; void (*fn)(void); int sig; };
static const struct fcase cases[] = {
    { "null_deref", null_deref, SIGSEGV },
    { "write_readonly_page", write_readonly, SIGSEGV },
    { "write_text", write_text, SIGSEGV },
    { "noncanonical_address", noncanonical, SIGSEGV },
    { "ud2", ud2, SIGILL },
    { "divide_by_zero", divide_by_zero, SIGFPE },
    { "int_min_div_minus_one", int_min_div, SIGFPE },
    { "int3", int3, SIGTRAP },
    { "hlt", hlt, SIGSEGV },
    { "cli", cli, SIGSEGV },
    { "jump_non_executable", jump_nx, SIGSEGV },
    { "stack_overflow", stack_overflow, SIGSEGV },
};

int main(void)
{
    start_watchdog(80);
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            fail("fork: %s", strerror(errno));
        if (pid == 0) {
            struct rlimit nocore = { 0, 0 };
            setrlimit(RLIMIT_CORE, &nocore);
            cases[i].fn();
            _exit(99); /* survived the fault */
        }
        int st = 0;
        pid_t r;
        while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
            ;
        if (r != pid)
            fail("waitpid: %s", strerror(errno));
        char sb[32];
        int ok = WIFSIGNALED(st) && WTERMSIG(st) == cases[i].sig;
        printf("check %-24s %s  (%s, expected signal %d)\n", cases[i].name, ok ? "ok " : "BAD",
               status_str(st, sb, sizeof sb), cases[i].sig);
        bad += !ok;
    }
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    if (pid < 0 || reap(pid, "final child") != 0)
        fail("a normal child after the faulting ones did not exit 0");
    if (bad)
        fail("%d fault case(s) ended with the wrong status", bad);
    pass();
}
