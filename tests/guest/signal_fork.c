// guest: futex=all timeout=60
/*
 * signal_fork - signals and process life: a child inherits its parent's
 * handlers and mask but none of its pending signals; SIGCHLD reaches the
 * parent's handler with the child's pid, status and CLD_EXITED/CLD_KILLED;
 * with SIGCHLD set to SIG_IGN children are reaped at once (wait4: ECHILD);
 * a signal sent to a child blocked in FUTEX_WAIT runs the child's handler
 * there and the wait goes on (SA_RESTART); execve keeps the mask and
 * ignored signals but resets handlers.
 */
#define GUEST_NAME "signal_fork"
#include "guest.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>

static volatile int usr1_hits, chld_hits, chld_pid, chld_status, chld_code;

static void on_usr1(int sig) { (void)sig; usr1_hits++; }
static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    chld_hits++;
    chld_pid = si->si_pid;
    chld_status = si->si_status;
    chld_code = si->si_code;
}

static void install(int sig, void (*h)(int), void (*a)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (a) {
        sa.sa_sigaction = a;
        flags |= SA_SIGINFO;
    } else
        sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        fail("sigaction: %s", strerror(errno));
}

static int after_exec(void)
{
    /* Run as `signal_fork exec-check`: what execve kept and what it reset. */
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    if (sa.sa_handler != SIG_DFL)
        return 11;
    sigaction(SIGUSR2, NULL, &sa);
    if (sa.sa_handler != SIG_IGN)
        return 12;
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    if (!sigismember(&m, SIGTERM))
        return 13;
    sigset_t p;
    sigpending(&p);
    if (!sigismember(&p, SIGTERM))
        return 14;   /* pending signals survive execve */
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-check") == 0)
        return after_exec();
    start_watchdog(50);

    /* Inheritance: handler and mask yes, pending no. */
    install(SIGUSR1, on_usr1, NULL, 0);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old);
    raise(SIGUSR2);   /* pending in the parent (default: terminate), blocked */
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t m, p;
        sigprocmask(SIG_BLOCK, NULL, &m);
        sigpending(&p);
        if (!sigismember(&m, SIGUSR2))
            _exit(2);
        if (sigismember(&p, SIGUSR2))
            _exit(3);
        raise(SIGUSR1);
        _exit(usr1_hits == 1 ? 0 : 4);
    }
    expect_eq(reap(pid, "inherit child"), 0);
    /* Take the parent's pending SIGUSR2 before unblocking it. */
    siginfo_t si;
    struct timespec zero = { 0, 0 };
    expect_eq(sigtimedwait(&block, &si, &zero), SIGUSR2);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("%s: a child inherits handlers and mask, not pending signals\n", GUEST_NAME);

    /* SIGCHLD with the child's pid and status. */
    install(SIGCHLD, NULL, on_chld, SA_RESTART);
    pid = fork();
    if (pid == 0)
        _exit(42);
    uint64_t t0 = now_ns();
    while (chld_hits == 0 && ms_since(t0) < 5000)
        sleep_ms(1);
    expect_eq(chld_hits, 1);
    expect_eq(chld_pid, pid);
    expect_eq(chld_code, CLD_EXITED);
    expect_eq(chld_status, 42);
    expect_eq(reap(pid, "exit child"), 42);
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGTERM);
    expect_eq(reap(pid, "killed child"), -SIGTERM);
    expect_eq(chld_hits, 2);
    expect_eq(chld_code, CLD_KILLED);
    expect_eq(chld_status, SIGTERM);
    printf("%s: SIGCHLD: pid, CLD_EXITED 42, CLD_KILLED SIGTERM\n", GUEST_NAME);

    /* SIG_IGN for SIGCHLD: no zombies. */
    signal(SIGCHLD, SIG_IGN);
    pid = fork();
    if (pid == 0)
        _exit(1);
    int st;
    errno = 0;
    expect_eq(waitpid(pid, &st, 0), -1);
    expect_eq(errno, ECHILD);
    signal(SIGCHLD, SIG_DFL);
    printf("%s: SIGCHLD ignored: children reaped at once, wait4 says ECHILD\n", GUEST_NAME);

    /* A signal to a child blocked in FUTEX_WAIT on a MAP_SHARED word: the
     * handler runs there, the wait restarts, the parent's wake ends it
     * (plain ops only: a PRIVATE futex does not cross processes on Linux). */
    volatile int *word = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (word == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    {
        int flags = 0;
        *word = 0;
        int ready[2];
        if (pipe(ready) != 0)
            fail("pipe");
        install(SIGUSR1, on_usr1, NULL, SA_RESTART);
        pid = fork();
        if (pid == 0) {
            usr1_hits = 0;
            close(ready[0]);
            if (write(ready[1], "r", 1) != 1)
                _exit(20);
            long r = futex_raw(word, FUTEX_WAIT | flags, 0, 0, NULL, 0);
            if (r != 0)
                _exit(21);
            _exit(usr1_hits == 2 && *word == 5 ? 0 : 22);
        }
        close(ready[1]);
        char c;
        if (read(ready[0], &c, 1) != 1)
            fail("child died");
        close(ready[0]);
        sleep_ms(100);
        kill(pid, SIGUSR1);
        sleep_ms(100);
        kill(pid, SIGUSR1);
        sleep_ms(100);
        expect_eq(waitpid(pid, &st, WNOHANG), 0);   /* still waiting after two handled signals */
        *word = 5;
        long woken = 0;
        for (int tries = 0; woken == 0 && tries < 100; tries++) {
            woken = futex_wake(word, 1, flags);
            if (woken == 0)
                sleep_ms(10);
        }
        expect_eq(woken, 1);
        int code = reap(pid, "futex child");
        if (code != 0)
            fail("child in FUTEX_WAIT/%s: exit %d (21: the wait did not return 0, 22: handler count)",
                 flag_name(flags), code);
        printf("%s: FUTEX_WAIT/%s in a child: two handled signals, restarted, then woken\n",
               GUEST_NAME, flag_name(flags));
    }
    munmap((void *)word, GUEST_PAGE);

    /* execve: mask and ignored signals stay, handlers reset, pending stays. */
    install(SIGUSR1, on_usr1, NULL, 0);
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        char *args[] = { argv[0], "exec-check", NULL };
        execv(argv[0], args);
        _exit(99);
    }
    int code = reap(pid, "exec child");
    if (code != 0)
        fail("after execve: check %d failed (11 handler kept, 12 SIG_IGN lost, 13 mask lost, 14 pending lost)", code);
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGUSR2, SIG_DFL);
    printf("%s: execve resets handlers, keeps SIG_IGN, the mask and pending signals\n", GUEST_NAME);
    pass();
}
