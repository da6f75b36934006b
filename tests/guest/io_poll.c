/*
 * io_poll - non-blocking and multiplexed I/O as Linux does it: pipe2
 * O_NONBLOCK and F_SETFL (EAGAIN), poll/ppoll/select/pselect6 on pipes
 * (POLLIN, POLLOUT, POLLHUP, POLLERR, POLLNVAL), their timeouts and the
 * time select leaves, EINTR from a handler, the signal masks of ppoll and
 * pselect6, a stop and continue that poll and select sleep through to their
 * first deadline; socketpair(AF_UNIX) streams and datagrams, shutdown, the msg
 * calls; eventfd. Bad fds and pointers get Linux's errnos.
 */
// guest: timeout=60
#define GUEST_NAME "io_poll"
#include "guest.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#define BAD_PTR ((void *)16)

static volatile int handled;
static void on_signal(int sig) { (void)sig; handled++; }

static void test_nonblocking_pipe(void)
{
    int p[2];
    char buf[512];
    expect_eq(pipe2(p, O_NONBLOCK), 0);
    expect_true(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    expect_eq(read(p[0], buf, sizeof buf), -1);
    expect_eq(errno, EAGAIN);
    memset(buf, 'x', sizeof buf);
    long total = 0;
    for (int i = 0; i < 100000; i++) {
        ssize_t n = write(p[1], buf, sizeof buf);
        if (n < 0) { expect_eq(errno, EAGAIN); break; }
        total += n;
    }
    expect_true(total >= 4096);
    struct pollfd w = { .fd = p[1], .events = POLLOUT };
    expect_eq(poll(&w, 1, 0), 0);   /* full */
    expect_eq(read(p[0], buf, sizeof buf), (ssize_t)sizeof buf);
    /* blocking again: F_SETFL clears O_NONBLOCK */
    expect_eq(fcntl(p[0], F_SETFL, 0), 0);
    expect_eq(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
    close(p[0]);
    close(p[1]);
    expect_eq(pipe2(p, 0x1234), -1);
    expect_eq(errno, EINVAL);
    printf("io_poll: non-blocking pipes ok\n");
}

static void test_poll_pipe(void)
{
    int p[2];
    expect_eq(pipe(p), 0);
    struct pollfd fds[4] = {
        { .fd = p[0], .events = POLLIN },
        { .fd = p[1], .events = POLLOUT },
        { .fd = -1, .events = POLLIN, .revents = 77 },
        { .fd = 60, .events = POLLIN },   /* not open */
    };
    expect_eq(poll(fds, 4, 0), 2);
    expect_eq(fds[0].revents, 0);
    expect_eq(fds[1].revents, POLLOUT);
    expect_eq(fds[2].revents, 0);
    expect_eq(fds[3].revents, POLLNVAL);
    uint64_t t0 = now_ns();
    expect_eq(poll(fds, 1, 50), 0);
    expect_true(now_ns() - t0 >= 45000000ull);
    expect_eq(write(p[1], "a", 1), 1);
    expect_eq(poll(fds, 1, -1), 1);
    expect_eq(fds[0].revents, POLLIN);
    /* a writer in another process wakes a poller */
    char c;
    expect_eq(read(p[0], &c, 1), 1);
    pid_t pid = fork();
    if (pid == 0) { usleep(30000); write(p[1], "b", 1); _exit(0); }
    expect_eq(poll(fds, 1, 5000), 1);
    expect_eq(fds[0].revents, POLLIN);
    waitpid(pid, NULL, 0);
    expect_eq(read(p[0], &c, 1), 1);
    close(p[1]);
    expect_eq(poll(fds, 1, 1000), 1);
    expect_eq(fds[0].revents, POLLHUP);
    close(p[0]);
    expect_eq(pipe(p), 0);
    close(p[0]);
    fds[1].fd = p[1];
    expect_eq(poll(&fds[1], 1, 0), 1);
    expect_true(fds[1].revents & POLLERR);
    close(p[1]);
    expect_eq(poll(BAD_PTR, 1, 0), -1);
    expect_eq(errno, EFAULT);
    expect_eq(poll(NULL, 0, 10), 0);
    printf("io_poll: poll ok\n");
}

static void test_poll_signals(void)
{
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;   /* poll and select are never restarted */
    expect_eq(sigaction(SIGALRM, &sa, NULL), 0);
    expect_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    int p[2];
    expect_eq(pipe(p), 0);
    struct pollfd fd = { .fd = p[0], .events = POLLIN };
    struct itimerval it = { .it_value = { .tv_usec = 30000 } };
    handled = 0;
    expect_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    expect_eq(poll(&fd, 1, 5000), -1);
    expect_eq(errno, EINTR);
    expect_eq(handled, 1);

    /* ppoll: SIGUSR1 blocked and pending; the wait's empty mask lets it in, then it is blocked again */
    sigset_t block, empty, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    expect_eq(sigprocmask(SIG_BLOCK, &block, NULL), 0);
    raise(SIGUSR1);
    expect_eq(handled, 1);
    struct timespec ts = { .tv_sec = 5 };
    expect_eq(ppoll(&fd, 1, &ts, &empty), -1);
    expect_eq(errno, EINTR);
    expect_eq(handled, 2);
    expect_eq(sigprocmask(SIG_BLOCK, NULL, &now), 0);
    expect_true(sigismember(&now, SIGUSR1));
    /* a blocked signal stays pending through ppoll with the same mask */
    raise(SIGUSR1);
    ts.tv_sec = 0; ts.tv_nsec = 20000000;
    expect_eq(ppoll(&fd, 1, &ts, &now), 0);
    expect_eq(handled, 2);
    /* pselect with an empty mask */
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    ts.tv_sec = 5; ts.tv_nsec = 0;
    expect_eq(pselect(p[0] + 1, &r, NULL, NULL, &ts, &empty), -1);
    expect_eq(errno, EINTR);
    expect_eq(handled, 3);
    expect_eq(sigprocmask(SIG_UNBLOCK, &block, NULL), 0);
    ts.tv_sec = 0; ts.tv_nsec = 2000000000;
    expect_eq(ppoll(&fd, 1, &ts, NULL), -1);
    expect_eq(errno, EINVAL);
    close(p[0]);
    close(p[1]);
    printf("io_poll: signals ok\n");
}

/* A signal without a handler (SIGSTOP, then SIGCONT) does not end a poll or
 * a select: poll goes on through restart_syscall to its first deadline, select
 * with the time it wrote back; neither starts its timeout again. */
static void test_wait_through_stop(void)
{
    int p[2];
    expect_eq(pipe(p), 0);
    pid_t child = fork();
    expect_ne(child, -1);
    if (child == 0) {
        struct pollfd f = { .fd = p[0], .events = POLLIN };
        uint64_t t0 = now_ns();
        int r = poll(&f, 1, 1000);
        uint64_t polled = ms_since(t0);
        fd_set set;
        FD_ZERO(&set);
        FD_SET(p[0], &set);
        struct timeval tv = { .tv_sec = 1 };
        t0 = now_ns();
        int s = select(p[0] + 1, &set, NULL, NULL, &tv);
        uint64_t selected = ms_since(t0);
        if (r != 0 || s != 0 || polled < 990 || polled > 1400 || selected < 990 || selected > 1400) {
            printf("io_poll: poll %d after %llu ms, select %d after %llu ms (errno %d)\n", r,
                   (unsigned long long)polled, s, (unsigned long long)selected, errno);
            _exit(1);
        }
        _exit(0);
    }
    for (int round = 0; round < 2; round++) {
        sleep_ms(round == 0 ? 500 : 1000);
        expect_eq(kill(child, SIGSTOP), 0);
        sleep_ms(20);
        expect_eq(kill(child, SIGCONT), 0);
    }
    int status;
    expect_eq(waitpid(child, &status, 0), child);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("poll or select did not sleep through a stop to their first deadline (status %#x)", status);
    close(p[0]);
    close(p[1]);
    printf("io_poll: waits go on through a stop ok\n");
}

static void test_select(void)
{
    int p[2];
    expect_eq(pipe(p), 0);
    fd_set r, w;
    FD_ZERO(&r); FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = { .tv_sec = 0, .tv_usec = 0 };
    expect_eq(select(p[1] + 1, &r, &w, NULL, &tv), 1);
    expect_true(!FD_ISSET(p[0], &r));
    expect_true(FD_ISSET(p[1], &w));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 0; tv.tv_usec = 40000;
    uint64_t t0 = now_ns();
    /* the raw call: musl's select() passes a copy of the timeval */
    expect_eq(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 0);
    expect_true(now_ns() - t0 >= 35000000ull);
    expect_eq(tv.tv_sec, 0);
    expect_eq(tv.tv_usec, 0);   /* all of it was spent */
    expect_true(!FD_ISSET(p[0], &r));
    expect_eq(write(p[1], "z", 1), 1);
    FD_SET(p[0], &r);
    tv.tv_sec = 10; tv.tv_usec = 0;
    expect_eq(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 1);
    expect_true(FD_ISSET(p[0], &r));
    expect_true(tv.tv_sec >= 9);   /* what is left */
    FD_ZERO(&r);
    FD_SET(59, &r);
    expect_eq(select(60, &r, NULL, NULL, &tv), -1);
    expect_eq(errno, EBADF);
    expect_eq(select(-1, NULL, NULL, NULL, &tv), -1);
    expect_eq(errno, EINVAL);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    expect_eq(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, BAD_PTR), -1);
    expect_eq(errno, EFAULT);
    close(p[0]);
    close(p[1]);
    printf("io_poll: select ok\n");
}

static void test_socketpair(void)
{
    int s[2];
    char buf[64];
    expect_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    expect_eq(write(s[0], "ping", 4), 4);
    expect_eq(read(s[1], buf, sizeof buf), 4);
    expect_eq(send(s[1], "pong!", 5, 0), 5);
    expect_eq(recv(s[0], buf, 2, 0), 2);       /* a stream: any split */
    expect_eq(recv(s[0], buf, sizeof buf, 0), 3);
    expect_eq(memcmp(buf, "ng!", 3), 0);
    expect_eq(recv(s[0], buf, sizeof buf, MSG_DONTWAIT), -1);
    expect_eq(errno, EAGAIN);
    int type = 0;
    socklen_t len = sizeof type;
    expect_eq(getsockopt(s[0], SOL_SOCKET, SO_TYPE, &type, &len), 0);
    expect_eq(type, SOCK_STREAM);
    struct pollfd pf = { .fd = s[0], .events = POLLIN | POLLOUT };
    expect_eq(poll(&pf, 1, 0), 1);
    expect_eq(pf.revents, POLLOUT);
    expect_eq(shutdown(s[1], SHUT_WR), 0);
    expect_eq(read(s[0], buf, sizeof buf), 0);   /* end of file */
    expect_eq(write(s[0], "still", 5), 5);         /* the other way is open */
    expect_eq(read(s[1], buf, sizeof buf), 5);
    struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
    struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
    expect_eq(sendmsg(s[0], &m, 0), 5);
    char x[3], y[8];
    struct iovec in[2] = { { x, 3 }, { y, 8 } };
    struct msghdr mr = { .msg_iov = in, .msg_iovlen = 2 };
    expect_eq(recvmsg(s[1], &mr, 0), 5);
    expect_eq(memcmp(x, "abc", 3), 0);
    expect_eq(memcmp(y, "de", 2), 0);
    close(s[0]);
    signal(SIGPIPE, SIG_IGN);
    expect_eq(write(s[1], "x", 1), -1);
    expect_eq(errno, EPIPE);
    close(s[1]);

    expect_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s), 0);
    expect_eq(fcntl(s[0], F_GETFD), FD_CLOEXEC);
    expect_eq(send(s[0], "one", 3, 0), 3);
    expect_eq(send(s[0], "three", 5, 0), 5);
    expect_eq(recv(s[1], buf, sizeof buf, 0), 3);   /* one message at a time */
    expect_eq(recv(s[1], buf, 2, 0), 2);            /* the rest of it is dropped */
    expect_eq(recv(s[1], buf, sizeof buf, MSG_DONTWAIT), -1);
    expect_eq(errno, EAGAIN);
    close(s[0]);
    close(s[1]);

    int p[2];
    expect_eq(pipe(p), 0);
    expect_eq(shutdown(p[0], SHUT_RD), -1);
    expect_eq(errno, ENOTSOCK);
    expect_eq(send(p[1], "x", 1, 0), -1);
    expect_eq(errno, ENOTSOCK);
    close(p[0]);
    close(p[1]);
    expect_eq(shutdown(63, SHUT_RD), -1);
    expect_eq(errno, EBADF);
    expect_eq(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BAD_PTR), -1);
    expect_eq(errno, EFAULT);
    expect_eq(socketpair(AF_UNIX, 99, 0, s), -1);
    expect_eq(errno, EINVAL);
    printf("io_poll: socketpair ok\n");
}

static void test_eventfd(void)
{
    int fd = eventfd(3, EFD_NONBLOCK);
    expect_true(fd >= 0);
    uint64_t v = 0;
    expect_eq(read(fd, &v, 8), 8);
    expect_eq(v, 3);
    expect_eq(read(fd, &v, 8), -1);
    expect_eq(errno, EAGAIN);
    struct pollfd pf = { .fd = fd, .events = POLLIN | POLLOUT };
    expect_eq(poll(&pf, 1, 0), 1);
    expect_eq(pf.revents, POLLOUT);
    v = 2;
    expect_eq(write(fd, &v, 8), 8);
    expect_eq(write(fd, &v, 8), 8);
    expect_eq(poll(&pf, 1, 0), 1);
    expect_eq(pf.revents, POLLIN | POLLOUT);
    expect_eq(read(fd, &v, 8), 8);
    expect_eq(v, 4);
    expect_eq(write(fd, &v, 4), -1);
    expect_eq(errno, EINVAL);
    v = UINT64_MAX;
    expect_eq(write(fd, &v, 8), -1);
    expect_eq(errno, EINVAL);
    close(fd);
    fd = eventfd(2, EFD_SEMAPHORE);
    expect_eq(read(fd, &v, 8), 8);
    expect_eq(v, 1);
    expect_eq(read(fd, &v, 8), 8);
    expect_eq(v, 1);
    close(fd);
    expect_eq(eventfd(0, 0x4000), -1);
    expect_eq(errno, EINVAL);
    printf("io_poll: eventfd ok\n");
}

int main(void)
{
    start_watchdog(50);
    test_nonblocking_pipe();
    test_poll_pipe();
    test_poll_signals();
    test_wait_through_stop();
    test_select();
    test_socketpair();
    test_eventfd();
    pass();
}
