/*
 * epoll_pipes - epoll on pipes as Linux does it: create/create1 and their
 * EINVALs; ADD, MOD, DEL with EEXIST, ENOENT, EBADF, EINVAL (an epoll fd, a
 * non-epoll epfd) and EPERM (a regular file); level-triggered readiness,
 * EPOLLET (one report until it goes away), EPOLLONESHOT (re-armed by MOD);
 * POLLHUP once the writer closes; a blocking epoll_wait woken by a thread's
 * write, a timeout, epoll_pwait with a mask; read() of the epoll fd is EINVAL.
 * Go's runtime uses epoll for its timers and network poller.
 */
// guest: timeout=60
#define GUEST_NAME "epoll_pipes"
#include "guest.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

static int wait_events(int ep, struct epoll_event *ev, int max, int timeout_ms)
{
    int n;
    do n = epoll_wait(ep, ev, max, timeout_ms); while (n < 0 && errno == EINTR);
    return n;
}

static void add(int ep, int op, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    if (epoll_ctl(ep, op, fd, &ev) != 0) fail("epoll_ctl(%d, %d): %s", op, fd, strerror(errno));
}

static int ctl_errno(int ep, int op, int fd)
{
    struct epoll_event ev = { .events = EPOLLIN };
    errno = 0;
    return epoll_ctl(ep, op, fd, &ev) == 0 ? 0 : errno;
}

static int writer_fd;

static void *late_writer(void *arg)
{
    (void)arg;
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    if (write(writer_fd, "w", 1) != 1) fail("thread write: %s", strerror(errno));
    return NULL;
}

int main(void)
{
    start_watchdog(50);
    struct epoll_event ev[8];

    errno = 0;
    expect_eq(syscall(SYS_epoll_create, 0), -1);       /* musl turns epoll_create(0) into epoll_create1 */
    expect_eq(errno, EINVAL);
    expect_eq(epoll_create1(1), -1);
    expect_eq(errno, EINVAL);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    expect_true(ep >= 0);
    expect_eq(fcntl(ep, F_GETFD), FD_CLOEXEC);

    int p[2];
    if (pipe(p) != 0) fail("pipe: %s", strerror(errno));
    add(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 42);
    expect_eq(ctl_errno(ep, EPOLL_CTL_ADD, p[0]), EEXIST);
    expect_eq(ctl_errno(ep, EPOLL_CTL_ADD, ep), EINVAL);
    expect_eq(ctl_errno(p[0], EPOLL_CTL_ADD, p[1]), EINVAL);
    expect_eq(ctl_errno(ep, EPOLL_CTL_ADD, 999), EBADF);
    expect_eq(ctl_errno(999, EPOLL_CTL_ADD, p[0]), EBADF);
    expect_eq(ctl_errno(ep, 7, p[0]), EINVAL);
    expect_eq(ctl_errno(ep, EPOLL_CTL_MOD, p[1]), ENOENT);
    int file = open("/tmp/epoll_pipes.file", O_CREAT | O_RDWR | O_TRUNC, 0600);
    expect_true(file >= 0);
    expect_eq(ctl_errno(ep, EPOLL_CTL_ADD, file), EPERM);
    close(file);
    unlink("/tmp/epoll_pipes.file");

    /* Level-triggered: nothing, then the byte, reported until it is read. */
    expect_eq(wait_events(ep, ev, 8, 0), 0);
    expect_eq(write(p[1], "x", 1), 1);
    expect_eq(wait_events(ep, ev, 8, 0), 1);
    expect_eq(ev[0].events, EPOLLIN);
    expect_eq(ev[0].data.u64, 42);
    expect_eq(wait_events(ep, ev, 8, 0), 1);
    char c;
    expect_eq(read(p[0], &c, 1), 1);
    expect_eq(wait_events(ep, ev, 8, 0), 0);
    errno = 0;
    expect_eq(epoll_wait(ep, ev, 0, 0), -1);
    expect_eq(errno, EINVAL);
    expect_eq(read(ep, &c, 1), -1);
    expect_eq(errno, EINVAL);

    /* A timeout with nothing ready; then a thread's write wakes a blocked wait. */
    uint64_t t0 = now_ns();
    expect_eq(wait_events(ep, ev, 8, 100), 0);
    if (now_ns() - t0 < 90ull * 1000 * 1000) fail("epoll_wait(100 ms) returned after %llu ns", (unsigned long long)(now_ns() - t0));
    writer_fd = p[1];
    pthread_t t;
    if (pthread_create(&t, NULL, late_writer, NULL) != 0) fail("pthread_create");
    expect_eq(wait_events(ep, ev, 8, -1), 1);
    expect_eq(ev[0].data.u64, 42);
    pthread_join(t, NULL);
    expect_eq(read(p[0], &c, 1), 1);

    /* epoll_pwait with a signal mask behaves as epoll_wait here. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    expect_eq(epoll_pwait(ep, ev, 8, 0, &mask), 0);

    /* The write end: level-triggered EPOLLOUT every time; EPOLLET once. */
    add(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 7);
    expect_eq(wait_events(ep, ev, 8, 0), 1);
    expect_eq(wait_events(ep, ev, 8, 0), 1);
    expect_eq(ev[0].events, EPOLLOUT);
    add(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT | EPOLLET, 8);
    expect_eq(wait_events(ep, ev, 8, 0), 1);
    expect_eq(ev[0].data.u64, 8);
    expect_eq(wait_events(ep, ev, 8, 0), 0);
    add(ep, EPOLL_CTL_DEL, p[1], 0, 0);
    expect_eq(ctl_errno(ep, EPOLL_CTL_DEL, p[1]), ENOENT);

    /* EPOLLONESHOT: one report, then none until MOD arms it again. */
    add(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 9);
    expect_eq(write(p[1], "y", 1), 1);
    expect_eq(wait_events(ep, ev, 8, 0), 1);
    expect_eq(wait_events(ep, ev, 8, 0), 0);
    add(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 10);
    expect_eq(wait_events(ep, ev, 8, 0), 1);
    expect_eq(ev[0].data.u64, 10);
    expect_eq(read(p[0], &c, 1), 1);

    /* The writer closes: the reader reports POLLHUP without asking for it. */
    close(p[1]);
    expect_eq(wait_events(ep, ev, 8, 0), 1);
    printf("epoll_pipes: after the writer closed: events %#x\n", ev[0].events);
    expect_eq(ev[0].events, EPOLLHUP);
    close(p[0]);
    close(ep);
    pass();
}
