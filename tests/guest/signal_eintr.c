// guest: futex=all timeout=60
/*
 * signal_eintr - a signal arriving while a thread blocks in the kernel:
 * FUTEX_WAIT (plain and private) without a timeout restarts under
 * SA_RESTART (the wait goes on and a later FUTEX_WAKE ends it with 0) and
 * fails with EINTR without it; a timed FUTEX_WAIT is EINTR even under
 * SA_RESTART (Linux restarts it only when no handler runs); a pipe read and
 * wait4 restart or fail the same way; nanosleep is EINTR with the time left;
 * sigsuspend, pause and sigtimedwait wait for signals. The handler runs in
 * the blocked thread, which pthread_kill picked.
 */
#define GUEST_NAME "signal_eintr"
#include "guest.h"

#include <signal.h>
#include <sys/wait.h>

static volatile int hits;
static void on_usr1(int sig) { (void)sig; hits++; }

static void install(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        fail("sigaction: %s", strerror(errno));
}

enum what { FUTEX_FOREVER, FUTEX_TIMED, PIPE_READ, WAIT_CHILD, SLEEP };
static const char *const what_name[] = { "FUTEX_WAIT", "FUTEX_WAIT(timeout)", "read(pipe)", "wait4", "nanosleep" };

struct blocker {
    enum what what;
    int flags;
    volatile int word;
    int fds[2];
    pid_t child;
    volatile int state;
    volatile long result;
    volatile int err;
    struct timespec left;
};

static void *blocker_main(void *arg)
{
    struct blocker *b = arg;
    long r = 0;
    __atomic_store_n(&b->state, 1, __ATOMIC_SEQ_CST);
    switch (b->what) {
    case FUTEX_FOREVER:
        r = futex_raw(&b->word, FUTEX_WAIT | b->flags, 0, 0, NULL, 0);
        break;
    case FUTEX_TIMED: {
        struct timespec ts = { 5, 0 };
        r = futex_raw(&b->word, FUTEX_WAIT | b->flags, 0, (long)&ts, NULL, 0);
        break;
    }
    case PIPE_READ: {
        char c;
        r = read(b->fds[0], &c, 1);
        if (r < 0)
            r = -errno;
        break;
    }
    case WAIT_CHILD: {
        int st;
        r = waitpid(b->child, &st, 0);
        if (r < 0)
            r = -errno;
        break;
    }
    case SLEEP: {
        struct timespec ts = { 5, 0 };
        r = nanosleep(&ts, &b->left);
        if (r < 0)
            r = -errno;
        break;
    }
    }
    b->result = r;
    __atomic_store_n(&b->state, 2, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Starts a blocker, interrupts it with SIGUSR1, and returns whether it was
 * still blocked 300 ms after the handler ran (restarted). */
static int interrupt_one(struct blocker *b, int restart)
{
    pthread_t t;
    install(restart);
    hits = 0;
    b->state = 0;
    b->word = 0;
    if (b->what == PIPE_READ && pipe(b->fds) != 0)
        fail("pipe: %s", strerror(errno));
    if (b->what == WAIT_CHILD) {
        b->child = fork();
        if (b->child == 0) {
            sleep_ms(1500);
            _exit(7);
        }
    }
    if (pthread_create(&t, NULL, blocker_main, b) != 0)
        fail("pthread_create");
    while (__atomic_load_n(&b->state, __ATOMIC_SEQ_CST) == 0)
        sleep_ms(1);
    sleep_ms(100);   /* it is blocked in the kernel by now */
    pthread_kill(t, SIGUSR1);
    uint64_t t0 = now_ns();
    while (hits == 0 && ms_since(t0) < 2000)
        sleep_ms(1);
    if (hits != 1)
        fail("%s: handler ran %d times", what_name[b->what], hits);
    sleep_ms(300);
    int still = __atomic_load_n(&b->state, __ATOMIC_SEQ_CST) != 2;
    /* End it for good. */
    if (still) {
        switch (b->what) {
        case FUTEX_FOREVER: case FUTEX_TIMED:
            while (__atomic_load_n(&b->state, __ATOMIC_SEQ_CST) != 2) {
                futex_wake(&b->word, 1, b->flags);
                sleep_ms(5);
            }
            break;
        case PIPE_READ:
            if (write(b->fds[1], "x", 1) != 1)
                fail("write");
            break;
        default:
            break;
        }
    }
    pthread_join(t, NULL);
    if (b->what == PIPE_READ) {
        close(b->fds[0]);
        close(b->fds[1]);
    }
    if (b->what == WAIT_CHILD && !still)
        reap(b->child, "wait4 child");
    return still;
}

int main(void)
{
    start_watchdog(50);
    struct blocker b;

    for (int i = 0; i < 2; i++) {
        memset(&b, 0, sizeof b);
        b.flags = FUTEX_FLAGS(i);
        b.what = FUTEX_FOREVER;
        if (!interrupt_one(&b, 1) || b.result != 0)
            fail("FUTEX_WAIT/%s under SA_RESTART: %s, result %s (expected a restart, then 0)",
                 flag_name(b.flags), "", errno_str(b.result));
        if (interrupt_one(&b, 0) || b.result != -EINTR)
            fail("FUTEX_WAIT/%s without SA_RESTART: result %s, expected EINTR", flag_name(b.flags),
                 errno_str(b.result));
        b.what = FUTEX_TIMED;
        if (interrupt_one(&b, 1) || b.result != -EINTR)
            fail("timed FUTEX_WAIT/%s under SA_RESTART: result %s, expected EINTR", flag_name(b.flags),
                 errno_str(b.result));
        printf("%s: FUTEX_WAIT/%s: restarts under SA_RESTART, EINTR without it or with a timeout\n",
               GUEST_NAME, flag_name(b.flags));
    }

    memset(&b, 0, sizeof b);
    b.what = PIPE_READ;
    if (!interrupt_one(&b, 1) || b.result != 1)
        fail("read under SA_RESTART: result %ld, expected a restart then 1", b.result);
    if (interrupt_one(&b, 0) || b.result != -EINTR)
        fail("read without SA_RESTART: result %s", errno_str(b.result));
    printf("%s: pipe read: restarts under SA_RESTART, EINTR without\n", GUEST_NAME);

    b.what = WAIT_CHILD;
    if (!interrupt_one(&b, 1))
        fail("wait4 under SA_RESTART returned %s", errno_str(b.result));
    if (b.result != b.child)
        fail("wait4 under SA_RESTART: %ld, expected the child %d", b.result, (int)b.child);
    if (interrupt_one(&b, 0) || b.result != -EINTR)
        fail("wait4 without SA_RESTART: result %s", errno_str(b.result));
    printf("%s: wait4: restarts under SA_RESTART, EINTR without\n", GUEST_NAME);

    b.what = SLEEP;
    if (interrupt_one(&b, 1) || b.result != -EINTR)
        fail("nanosleep: result %s, expected EINTR (even under SA_RESTART)", errno_str(b.result));
    if (b.left.tv_sec < 3 || b.left.tv_sec > 5)
        fail("nanosleep: %ld s left of 5, expected about 4.6", (long)b.left.tv_sec);
    printf("%s: nanosleep: EINTR with %ld.%03ld s left\n", GUEST_NAME, (long)b.left.tv_sec,
           b.left.tv_nsec / 1000000);

    /* sigsuspend: waits with a temporary mask; the old mask is back afterwards. */
    install(0);
    sigset_t block, old, during;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    hits = 0;
    pid_t me = getpid();
    pid_t k = fork();
    if (k == 0) {
        sleep_ms(200);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigemptyset(&during);
    errno = 0;
    expect_eq(sigsuspend(&during), -1);
    expect_eq(errno, EINTR);
    expect_eq(hits, 1);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    expect_eq(sigismember(&now, SIGUSR1), 1);
    reap(k, "kill child");
    printf("%s: sigsuspend: woken by the signal, mask restored\n", GUEST_NAME);

    /* sigtimedwait: takes a blocked signal, with its siginfo; times out with EAGAIN. */
    siginfo_t si;
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    errno = 0;
    expect_eq(sigtimedwait(&block, &si, &ts), -1);
    expect_eq(errno, EAGAIN);
    k = fork();
    if (k == 0) {
        sleep_ms(200);
        union sigval v = { .sival_int = 77 };
        sigqueue(getppid(), SIGUSR1, v);
        _exit(0);
    }
    ts.tv_sec = 5;
    hits = 0;
    expect_eq(sigtimedwait(&block, &si, &ts), SIGUSR1);
    expect_eq(si.si_signo, SIGUSR1);
    expect_eq(si.si_code, SI_QUEUE);
    expect_eq(si.si_pid, k);
    expect_eq(si.si_value.sival_int, 77);
    expect_eq(hits, 0);   /* taken, not handled */
    reap(k, "sigqueue child");
    /* A signal sent to oneself and already pending is taken at once. */
    raise(SIGUSR1);
    expect_eq(sigwaitinfo(&block, &si), SIGUSR1);
    expect_eq(si.si_code, SI_TKILL);
    /* A waited-for signal whose default is to kill does not kill the waiter. */
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    k = fork();
    if (k == 0) {
        sleep_ms(200);
        kill(getppid(), SIGTERM);
        _exit(0);
    }
    expect_eq(sigtimedwait(&block, &si, &ts), SIGTERM);
    reap(k, "SIGTERM child");
    sigprocmask(SIG_SETMASK, &old, NULL);
    (void)me;
    printf("%s: sigtimedwait: EAGAIN, siginfo of sigqueue, SIGTERM taken without dying\n", GUEST_NAME);

    /* pause: returns -1 EINTR after the handler. */
    k = fork();
    if (k == 0) {
        sleep_ms(200);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    hits = 0;
    expect_eq(pause(), -1);
    expect_eq(errno, EINTR);
    expect_eq(hits, 1);
    reap(k, "pause child");
    pass();
}
