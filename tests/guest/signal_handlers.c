// guest: timeout=60
/*
 * signal_handlers - handlers run as Linux runs them: SA_SIGINFO with the
 * sender's siginfo (raise: SI_TKILL, kill: SI_USER, sigqueue: SI_QUEUE and
 * its value), the handler's mask (the signal itself and sa_mask, none with
 * SA_NODEFER), SA_RESETHAND, blocked signals staying pending and arriving
 * the moment they are unblocked, standard signals merging and real-time
 * signals queueing in order, ignored signals (SIG_IGN, default-ignored
 * SIGURG) doing nothing, a handler's FPU and register state not leaking into
 * the interrupted code, and the errors of kill, tgkill and sigaction.
 */
#define GUEST_NAME "signal_handlers"
#include "guest.h"

#include <signal.h>
#include <stdlib.h>

static volatile int hits, last_sig, last_code, last_pid, last_value, nested_blocked, handler_mask_ok;
static volatile int order[8], norder;

static void on_info(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    last_sig = sig;
    last_code = si->si_code;
    last_pid = si->si_pid;
    last_value = si->si_value.sival_int;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    nested_blocked = sigismember(&now, sig);
    handler_mask_ok = sigismember(&now, SIGUSR2);
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    if (norder < 8)
        order[norder++] = si->si_value.sival_int;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int mask_sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (mask_sig)
        sigaddset(&sa.sa_mask, mask_sig);
    if (sigaction(sig, &sa, NULL) != 0)
        fail("sigaction(%d): %s", sig, strerror(errno));
}

/* Clobbers every XMM register and the x87 control word inside a handler. */
static void on_clobber(int sig)
{
    (void)sig;
    __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm15, %%xmm15" ::: "xmm0", "xmm7", "xmm15");
    unsigned short cw = 0x0C7F;
    __asm__ volatile("fldcw %0" ::"m"(cw));
    unsigned mxcsr = 0x9FC0;   /* flush-to-zero, round toward zero */
    __asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
    hits++;
}

int main(void)
{
    start_watchdog(50);
    pid_t me = getpid();

    /* raise: thread-directed, SI_TKILL, the handler blocks the signal and sa_mask. */
    install(SIGUSR1, on_info, 0, SIGUSR2);
    hits = 0;
    raise(SIGUSR1);
    expect_eq(hits, 1);
    expect_eq(last_sig, SIGUSR1);
    expect_eq(last_code, SI_TKILL);
    expect_eq(last_pid, me);
    expect_eq(nested_blocked, 1);
    expect_eq(handler_mask_ok, 1);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    expect_eq(sigismember(&cur, SIGUSR1), 0);   /* the old mask is back after the handler */
    printf("%s: raise: handler ran with SI_TKILL, mask restored\n", GUEST_NAME);

    /* kill to the process: SI_USER. */
    kill(me, SIGUSR1);
    expect_eq(hits, 2);
    expect_eq(last_code, SI_USER);
    expect_eq(last_pid, me);

    /* sigqueue: SI_QUEUE and the value. */
    union sigval v = { .sival_int = 4242 };
    expect_eq(sigqueue(me, SIGUSR1, v), 0);
    expect_eq(hits, 3);
    expect_eq(last_code, SI_QUEUE);
    expect_eq(last_value, 4242);

    /* SA_NODEFER: the signal is not blocked in its handler. */
    install(SIGUSR1, on_info, SA_NODEFER, 0);
    raise(SIGUSR1);
    expect_eq(nested_blocked, 0);

    /* SA_RESETHAND: the action is SIG_DFL after one delivery. */
    install(SIGUSR1, on_info, SA_RESETHAND, 0);
    raise(SIGUSR1);
    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    expect_true(old.sa_handler == SIG_DFL);
    printf("%s: SA_NODEFER and SA_RESETHAND\n", GUEST_NAME);

    /* Blocked: pending, visible in sigpending, delivered at unblock; merged. */
    install(SIGUSR1, on_info, 0, 0);
    sigset_t block, pend;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    hits = 0;
    kill(me, SIGUSR1);
    kill(me, SIGUSR1);
    expect_eq(hits, 0);
    sigpending(&pend);
    expect_eq(sigismember(&pend, SIGUSR1), 1);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    expect_eq(hits, 1);   /* two sends to the process, one delivery: standard signals merge */
    sigpending(&pend);
    expect_eq(sigismember(&pend, SIGUSR1), 0);
    printf("%s: blocked signal pending, delivered once at unblock\n", GUEST_NAME);

    /* Real-time signals queue every instance, in order. */
    install(SIGRTMIN + 1, on_rt, 0, 0);
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    for (int i = 1; i <= 5; i++) {
        v.sival_int = i * 10;
        expect_eq(sigqueue(me, SIGRTMIN + 1, v), 0);
    }
    norder = 0;
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    expect_eq(norder, 5);
    for (int i = 0; i < 5; i++)
        expect_eq(order[i], (i + 1) * 10);
    printf("%s: 5 queued real-time signals delivered in order\n", GUEST_NAME);

    /* Ignored signals: nothing happens; a pending one is discarded by SIG_IGN. */
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    raise(SIGURG);
    raise(SIGCHLD);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&pend);
    expect_eq(sigismember(&pend, SIGUSR1), 0);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("%s: ignored signals\n", GUEST_NAME);

    /* A handler's FPU changes do not leak into the interrupted code. */
    signal(SIGUSR1, on_clobber);
    unsigned short cw0, cw1;
    unsigned mx0, mx1;
    __asm__ volatile("fnstcw %0" : "=m"(cw0));
    __asm__ volatile("stmxcsr %0" : "=m"(mx0));
    volatile double d = 1.5;
    register double keep __asm__("xmm7");
    keep = d * 3.0;
    __asm__ volatile("" : "+x"(keep));
    hits = 0;
    raise(SIGUSR1);
    __asm__ volatile("" : "+x"(keep));
    __asm__ volatile("fnstcw %0" : "=m"(cw1));
    __asm__ volatile("stmxcsr %0" : "=m"(mx1));
    expect_eq(hits, 1);
    expect_eq(cw1, cw0);
    expect_eq(mx1, mx0);
    expect_true(keep == 4.5);
    printf("%s: x87 control word, MXCSR and XMM survive a handler\n", GUEST_NAME);

    /* SIGPIPE: a write to a pipe without readers raises it (and still says EPIPE). */
    signal(SIGPIPE, on_clobber);
    int fds[2];
    if (pipe(fds) != 0)
        fail("pipe");
    close(fds[0]);
    hits = 0;
    expect_eq(write(fds[1], "x", 1), -1);
    expect_eq(errno, EPIPE);
    expect_eq(hits, 1);
    signal(SIGPIPE, SIG_DFL);
    pid_t pid = fork();
    if (pid == 0) {
        ssize_t r = write(fds[1], "x", 1);
        _exit(r == -1 ? 2 : 3);   /* not reached: SIGPIPE kills first */
    }
    expect_eq(reap(pid, "SIGPIPE child"), -SIGPIPE);
    close(fds[1]);
    printf("%s: SIGPIPE on a write without readers: handled, and fatal by default\n", GUEST_NAME);

    /* Errors. */
    errno = 0;
    expect_eq(kill(me, 65), -1);
    expect_eq(errno, EINVAL);
    expect_eq(kill(me, 0), 0);
    expect_eq(kill(999999, 0), -1);
    expect_eq(errno, ESRCH);
    expect_eq(syscall(SYS_tgkill, me + 100000, me, SIGUSR1), -1);
    expect_eq(errno, ESRCH);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    expect_eq(sigaction(SIGKILL, &sa, NULL), -1);
    expect_eq(errno, EINVAL);
    expect_eq(sigaction(SIGSTOP, &sa, NULL), -1);
    expect_eq(sigaction(0, &sa, NULL), -1);
    expect_eq(syscall(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 4), -1);
    expect_eq(errno, EINVAL);
    expect_eq(syscall(SYS_rt_sigprocmask, 7, &block, NULL, 8), -1);
    expect_eq(errno, EINVAL);
    expect_eq(syscall(SYS_rt_sigaction, SIGUSR1, (void *)8, NULL, 8), -1);
    expect_eq(errno, EFAULT);
    /* SIGKILL cannot be blocked. */
    sigfillset(&block);
    sigprocmask(SIG_SETMASK, &block, NULL);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    expect_eq(sigismember(&cur, SIGKILL), 0);
    expect_eq(sigismember(&cur, SIGSTOP), 0);
    sigemptyset(&block);
    sigprocmask(SIG_SETMASK, &block, NULL);
    printf("%s: errors\n", GUEST_NAME);
    pass();
}
