/* poll_pipes.c - poll(2) and ppoll(2) on pipes and files, as Linux answers:
 * an empty pipe is not readable and times out after about the timeout; data
 * makes it readable and a writer wakes a poller blocked in another thread; a
 * closed write end is POLLHUP for the reader, a closed read end POLLERR for
 * the writer; a closed fd is POLLNVAL, a negative one is skipped; a /tmp file
 * is always ready; ppoll takes a timespec (NULL: no timeout) and checks it,
 * and waits with its signal mask: a signal the mask lets through ends the
 * wait (EINTR, its handler run), the caller's mask is back on return, and a
 * ready fd wins over a pending signal. */
// guest: timeout=30
#define GUEST_NAME "poll_pipes"
#include "guest.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>

static int wr;
static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
    (void)sig;
    usr1++;
}

static pthread_t main_thread;

static void *signaller(void *arg)
{
    (void)arg;
    sleep_ms(50);
    if (pthread_kill(main_thread, SIGUSR1) != 0)
        fail("pthread_kill: %s", strerror(errno));
    return NULL;
}

static int blocked(int sig)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, sig);
}

static void *writer(void *arg)
{
    (void)arg;
    sleep_ms(200);
    if (write(wr, "x", 1) != 1)
        fail("write in the writer thread: %s", strerror(errno));
    return NULL;
}

int main(void)
{
    start_watchdog(20);
    int p[2];
    expect_eq(pipe(p), 0);
    wr = p[1];

    struct pollfd f = { .fd = p[0], .events = POLLIN };
    expect_eq(poll(&f, 1, 0), 0);                       /* empty: not readable, no wait */
    expect_eq(f.revents, 0);
    uint64_t t0 = now_ns();
    expect_eq(poll(&f, 1, 150), 0);                     /* times out */
    uint64_t waited = ms_since(t0);
    if (waited < 140 || waited > 2000)
        fail("a 150 ms poll returned after %llu ms", (unsigned long long)waited);

    struct pollfd w = { .fd = p[1], .events = POLLOUT };
    expect_eq(poll(&w, 1, 0), 1);                       /* room: writable */
    expect_eq(w.revents, POLLOUT);

    pthread_t t;
    expect_eq(pthread_create(&t, NULL, writer, NULL), 0);
    t0 = now_ns();
    expect_eq(poll(&f, 1, 5000), 1);                    /* woken by the other thread's write */
    expect_eq(f.revents, POLLIN);
    if (ms_since(t0) > 3000)
        fail("the poller woke %llu ms after the write", (unsigned long long)ms_since(t0));
    expect_eq(pthread_join(t, NULL), 0);
    char c;
    expect_eq(read(p[0], &c, 1), 1);

    /* Two fds at once; a negative one is skipped, a closed one is POLLNVAL. */
    struct pollfd set[3] = { { .fd = p[0], .events = POLLIN }, { .fd = -1, .events = POLLIN }, { .fd = 99, .events = POLLIN } };
    expect_eq(poll(set, 3, 0), 1);
    expect_eq(set[0].revents, 0);
    expect_eq(set[1].revents, 0);
    expect_eq(set[2].revents, POLLNVAL);

    /* No writer left: POLLHUP, reported though not asked for; data still POLLIN. */
    expect_eq(write(p[1], "y", 1), 1);
    expect_eq(close(p[1]), 0);
    f.events = POLLIN;
    expect_eq(poll(&f, 1, 0), 1);
    expect_eq(f.revents, POLLIN | POLLHUP);
    expect_eq(read(p[0], &c, 1), 1);
    f.events = 0;
    expect_eq(poll(&f, 1, 0), 1);
    expect_eq(f.revents, POLLHUP);

    /* No reader left: the writer gets POLLERR (and writing would be EPIPE). */
    int q[2];
    expect_eq(pipe(q), 0);
    expect_eq(close(q[0]), 0);
    w.fd = q[1];
    w.events = POLLOUT;
    expect_eq(poll(&w, 1, 0), 1);
    expect_true(w.revents & POLLERR);

    /* A regular file is always ready. */
    char path[64];
    snprintf(path, sizeof path, "/tmp/poll_pipes.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    expect_ne(fd, -1);
    struct pollfd r = { .fd = fd, .events = POLLIN | POLLOUT };
    expect_eq(poll(&r, 1, 1000), 1);
    expect_eq(r.revents, POLLIN | POLLOUT);
    close(fd);
    unlink(path);

    /* ppoll: a timespec timeout, NULL waits for readiness, a bad one is EINVAL. */
    int s[2];
    expect_eq(pipe(s), 0);
    struct pollfd g = { .fd = s[0], .events = POLLIN };
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    t0 = now_ns();
    expect_eq(ppoll(&g, 1, &ts, NULL), 0);
    if (ms_since(t0) < 90)
        fail("a 100 ms ppoll returned after %llu ms", (unsigned long long)ms_since(t0));
    expect_eq(write(s[1], "z", 1), 1);
    expect_eq(ppoll(&g, 1, NULL, NULL), 1);
    expect_eq(g.revents, POLLIN);
    struct timespec bad = { 0, 2000000000L };
    errno = 0;
    expect_eq(ppoll(&g, 1, &bad, NULL), -1);
    expect_eq(errno, EINVAL);

    /* ppoll's mask: SIGUSR1 blocked and pending; a ppoll that lets it through
     * ends at once with EINTR after the handler, and SIGUSR1 is blocked again. */
    struct sigaction sa = { .sa_handler = on_usr1 };
    expect_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    sigset_t usr1set, none;
    sigemptyset(&usr1set);
    sigaddset(&usr1set, SIGUSR1);
    sigemptyset(&none);
    expect_eq(sigprocmask(SIG_BLOCK, &usr1set, NULL), 0);
    char drain;
    expect_eq(read(s[0], &drain, 1), 1);                /* the pipe is empty again */
    expect_eq(raise(SIGUSR1), 0);
    expect_eq(usr1, 0);
    struct timespec second = { 1, 0 };
    t0 = now_ns();
    errno = 0;
    expect_eq(ppoll(&g, 1, &second, &none), -1);
    expect_eq(errno, EINTR);
    expect_eq(usr1, 1);
    if (ms_since(t0) > 500)
        fail("ppoll with SIGUSR1 let through waited %llu ms", (unsigned long long)ms_since(t0));
    expect_true(blocked(SIGUSR1));
    /* Ready data wins: the signal stays pending, the handler waits for the unblock. */
    expect_eq(raise(SIGUSR1), 0);
    expect_eq(write(s[1], "z", 1), 1);
    expect_eq(ppoll(&g, 1, &second, &none), 1);
    expect_eq(usr1, 1);
    sigset_t pending;
    expect_eq(sigpending(&pending), 0);
    expect_true(sigismember(&pending, SIGUSR1));
    expect_eq(sigprocmask(SIG_UNBLOCK, &usr1set, NULL), 0);
    expect_eq(usr1, 2);
    /* A mask that blocks SIGUSR1 keeps it out of the wait (sent by another
     * thread meanwhile); it is delivered as ppoll returns, after the timeout. */
    expect_eq(read(s[0], &drain, 1), 1);
    main_thread = pthread_self();
    expect_eq(pthread_create(&t, NULL, signaller, NULL), 0);
    struct timespec short_wait = { 0, 300 * 1000 * 1000 };
    t0 = now_ns();
    expect_eq(ppoll(&g, 1, &short_wait, &usr1set), 0);
    if (ms_since(t0) < 280)
        fail("ppoll with SIGUSR1 blocked returned after %llu ms", (unsigned long long)ms_since(t0));
    expect_eq(usr1, 3);
    expect_true(!blocked(SIGUSR1));
    expect_eq(pthread_join(t, NULL), 0);

    errno = 0;
    expect_eq(poll((struct pollfd *)8, 1, 0), -1);      /* an unmapped array */
    expect_eq(errno, EFAULT);
    printf("poll_pipes: pipes, files, timeouts and errors as on Linux\n");
    pass();
}
