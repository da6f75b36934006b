/*
 * inet_loopback - AF_INET on 127.0.0.1 as Linux does it, between threads and
 * processes of one machine. UDP: bind to port 0 and getsockname, sendto and
 * recvfrom with the sender's address, connect (a filter and a default
 * peer; AF_UNSPEC undoes it), a connected socket's ECONNREFUSED after a
 * datagram to a closed port, truncation (MSG_TRUNC), MSG_PEEK, poll,
 * SO_RCVTIMEO. TCP: listen, connect (ECONNREFUSED without a listener),
 * accept and accept4 with the peer's address, data both ways between two
 * processes, shutdown, a large transfer, EADDRINUSE, the errors of
 * unconnected sockets, options. Errors as Linux gives them: EADDRNOTAVAIL,
 * EAFNOSUPPORT, EINVAL, EFAULT, ENOTCONN, EPIPE, EISCONN.
 */
// guest: timeout=60
#define GUEST_NAME "inet_loopback"
#include "guest.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define BAD_PTR ((void *)16)

static struct sockaddr_in loopback(unsigned short port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static unsigned short port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    expect_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    expect_eq(len, sizeof a);
    expect_eq(a.sin_family, AF_INET);
    return ntohs(a.sin_port);
}

static int udp_bound(struct sockaddr_in *at)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    expect_ne(fd, -1);
    struct sockaddr_in a = loopback(0);
    expect_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    *at = loopback(port_of(fd));
    return fd;
}

static void test_udp(void)
{
    struct sockaddr_in a_at, b_at, from;
    int a = udp_bound(&a_at);
    expect_ne(ntohs(a_at.sin_port), 0);
    struct sockaddr_in name;
    socklen_t len = sizeof name;
    expect_eq(getsockname(a, (struct sockaddr *)&name, &len), 0);
    expect_eq(name.sin_addr.s_addr, htonl(INADDR_LOOPBACK));

    /* The port is taken. */
    int other = socket(AF_INET, SOCK_DGRAM, 0);
    expect_eq(bind(other, (struct sockaddr *)&a_at, sizeof a_at), -1);
    expect_eq(errno, EADDRINUSE);
    close(other);

    /* An unbound sender gets a port at its first sendto; the receiver sees it. */
    int b = socket(AF_INET, SOCK_DGRAM, 0);
    expect_eq(port_of(b), 0);
    expect_eq(sendto(b, "ping", 4, 0, (struct sockaddr *)&a_at, sizeof a_at), 4);
    unsigned short b_port = port_of(b);
    expect_ne(b_port, 0);
    char buf[256];
    len = sizeof from;
    expect_eq(recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 4);
    expect_eq(memcmp(buf, "ping", 4), 0);
    expect_eq(len, sizeof from);
    expect_eq(ntohs(from.sin_port), b_port);
    expect_eq(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    b_at = loopback(b_port);

    /* Datagrams keep their boundaries; a short buffer cuts one (MSG_TRUNC says how long it was). */
    expect_eq(sendto(b, "0123456789", 10, 0, (struct sockaddr *)&a_at, sizeof a_at), 10);
    expect_eq(sendto(b, "xyz", 3, 0, (struct sockaddr *)&a_at, sizeof a_at), 3);
    expect_eq(recv(a, buf, 4, MSG_PEEK), 4);
    expect_eq(memcmp(buf, "0123", 4), 0);
    expect_eq(recv(a, buf, 4, MSG_TRUNC), 10);
    expect_eq(memcmp(buf, "0123", 4), 0);
    struct iovec iov = { buf, sizeof buf };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
    expect_eq(sendto(b, "0123456789", 10, 0, (struct sockaddr *)&a_at, sizeof a_at), 10);
    expect_eq(recvmsg(a, &m, 0), 3);
    expect_eq(memcmp(buf, "xyz", 3), 0);
    expect_eq(m.msg_flags & MSG_TRUNC, 0);
    iov.iov_len = 5;
    expect_eq(recvmsg(a, &m, 0), 5);
    expect_true(m.msg_flags & MSG_TRUNC);
    expect_eq(ntohs(from.sin_port), b_port);

    /* Nothing queued: EAGAIN at once with MSG_DONTWAIT, after SO_RCVTIMEO otherwise. */
    expect_eq(recv(a, buf, sizeof buf, MSG_DONTWAIT), -1);
    expect_eq(errno, EAGAIN);
    struct timeval tv = { .tv_usec = 100000 };
    expect_eq(setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    uint64_t t0 = now_ns();
    expect_eq(recv(a, buf, sizeof buf, 0), -1);
    expect_eq(errno, EAGAIN);
    if (ms_since(t0) < 90 || ms_since(t0) > 3000)
        fail("SO_RCVTIMEO of 100 ms waited %llu ms", (unsigned long long)ms_since(t0));

    /* poll: readable once a datagram waits; always writable. */
    struct pollfd p = { .fd = a, .events = POLLIN | POLLOUT };
    expect_eq(poll(&p, 1, 0), 1);
    expect_eq(p.revents, POLLOUT);
    expect_eq(sendto(b, "!", 1, 0, (struct sockaddr *)&a_at, sizeof a_at), 1);
    expect_eq(poll(&p, 1, 0), 1);
    expect_eq(p.revents, POLLIN | POLLOUT);
    expect_eq(recv(a, buf, sizeof buf, 0), 1);

    /* connect: send without an address; datagrams from others are not received. */
    expect_eq(connect(b, (struct sockaddr *)&a_at, sizeof a_at), 0);
    len = sizeof name;
    expect_eq(getpeername(b, (struct sockaddr *)&name, &len), 0);
    expect_eq(ntohs(name.sin_port), ntohs(a_at.sin_port));
    expect_eq(send(b, "via connect", 11, 0), 11);
    expect_eq(recv(a, buf, sizeof buf, 0), 11);
    struct sockaddr_in c_at;
    int c = udp_bound(&c_at);
    expect_eq(sendto(c, "stranger", 8, 0, (struct sockaddr *)&b_at, sizeof b_at), 8);
    expect_eq(sendto(a, "friend", 6, 0, (struct sockaddr *)&b_at, sizeof b_at), 6);
    expect_eq(recv(b, buf, sizeof buf, 0), 6);
    expect_eq(memcmp(buf, "friend", 6), 0);
    expect_eq(recv(b, buf, sizeof buf, MSG_DONTWAIT), -1);
    expect_eq(errno, EAGAIN);
    /* AF_UNSPEC takes the peer away again. */
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    expect_eq(connect(b, &unspec, sizeof unspec), 0);
    expect_eq(getpeername(b, (struct sockaddr *)&name, &len), -1);
    expect_eq(errno, ENOTCONN);
    expect_eq(send(b, "x", 1, 0), -1);
    expect_eq(errno, EDESTADDRREQ);

    /* A connected socket hears that nobody listens at its peer's port. */
    close(c);
    expect_eq(connect(b, (struct sockaddr *)&c_at, sizeof c_at), 0);
    expect_eq(send(b, "anyone?", 7, 0), 7);
    p = (struct pollfd){ .fd = b, .events = POLLIN };
    expect_eq(poll(&p, 1, 1000), 1);
    expect_true(p.revents & POLLERR);
    expect_eq(recv(b, buf, sizeof buf, 0), -1);
    expect_eq(errno, ECONNREFUSED);
    int err = -1;
    socklen_t errlen = sizeof err;
    expect_eq(getsockopt(b, SOL_SOCKET, SO_ERROR, &err, &errlen), 0);
    expect_eq(err, 0);   /* reported once */

    /* Errors. */
    struct sockaddr_in far = loopback(0);
    far.sin_addr.s_addr = inet_addr("192.0.2.1");   /* TEST-NET-1: not this machine's */
    int d = socket(AF_INET, SOCK_DGRAM, 0);
    expect_eq(bind(d, (struct sockaddr *)&far, sizeof far), -1);
    expect_eq(errno, EADDRNOTAVAIL);
    struct sockaddr_in any = loopback(0);
    expect_eq(bind(d, (struct sockaddr *)&any, sizeof any - 1), -1);
    expect_eq(errno, EINVAL);
    any.sin_family = AF_UNIX;
    expect_eq(bind(d, (struct sockaddr *)&any, sizeof any), -1);
    expect_eq(errno, EAFNOSUPPORT);
    expect_eq(bind(d, BAD_PTR, sizeof any), -1);
    expect_eq(errno, EFAULT);
    any = loopback(0);
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    expect_eq(bind(d, (struct sockaddr *)&any, sizeof any), 0);
    expect_eq(bind(d, (struct sockaddr *)&any, sizeof any), -1);
    expect_eq(errno, EINVAL);   /* already bound */
    expect_eq(sendto(d, "to any", 6, 0, (struct sockaddr *)&a_at, sizeof a_at), 6);
    len = sizeof from;
    expect_eq(recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), 6);
    expect_eq(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));   /* the source chosen for 127.0.0.1 */
    expect_eq(send(d, "x", 1, 0), -1);
    expect_eq(errno, EDESTADDRREQ);
    expect_eq(recvfrom(a, BAD_PTR, 10, MSG_DONTWAIT, NULL, NULL), -1);
    expect_eq(errno, EAGAIN);
    expect_eq(sendto(d, "y", 1, 0, (struct sockaddr *)&a_at, sizeof a_at), 1);
    expect_eq(recvfrom(a, BAD_PTR, 10, 0, NULL, NULL), -1);
    expect_eq(errno, EFAULT);
    close(a); close(b); close(d);
    printf("inet_loopback: udp ok\n");
}

static int tcp_listener(unsigned short *port)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    expect_ne(l, -1);
    struct sockaddr_in a = loopback(0);
    expect_eq(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    expect_eq(listen(l, 4), 0);
    *port = port_of(l);
    return l;
}

static void write_all(int fd, const char *b, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w <= 0)
            fail("write: %s", strerror(errno));
        b += w;
        n -= (size_t)w;
    }
}

static size_t read_all(int fd, char *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0)
            fail("read: %s", strerror(errno));
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return got;
}

enum { Big = 100000 };

static void test_tcp_between_processes(void)
{
    unsigned short port;
    int l = tcp_listener(&port);
    int sync[2];
    expect_eq(pipe(sync), 0);
    pid_t child = fork();
    expect_ne(child, -1);
    if (child == 0) {
        close(l);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in at = loopback(port);
        if (connect(s, (struct sockaddr *)&at, sizeof at) != 0)
            fail("child connect: %s", strerror(errno));
        unsigned short mine = port_of(s);
        expect_eq(write(sync[1], &mine, sizeof mine), (ssize_t)sizeof mine);
        write_all(s, "hello", 5);
        char buf[8];
        if (read_all(s, buf, 5) != 5 || memcmp(buf, "world", 5) != 0)
            fail("child: no world");
        static char big[Big];
        for (int i = 0; i < Big; i++)
            big[i] = (char)(i * 7);
        write_all(s, big, Big);
        expect_eq(shutdown(s, SHUT_WR), 0);
        expect_eq(read(s, buf, sizeof buf), 0);   /* the parent closed */
        _exit(0);
    }
    close(sync[1]);
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int s = accept(l, (struct sockaddr *)&peer, &len);
    expect_ne(s, -1);
    expect_eq(len, sizeof peer);
    expect_eq(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    unsigned short child_port;
    expect_eq(read(sync[0], &child_port, sizeof child_port), (ssize_t)sizeof child_port);
    expect_eq(ntohs(peer.sin_port), child_port);
    expect_eq(port_of(s), port);
    struct sockaddr_in name;
    expect_eq(getpeername(s, (struct sockaddr *)&name, &len), 0);
    expect_eq(ntohs(name.sin_port), child_port);
    char buf[8];
    expect_eq(read_all(s, buf, 5), 5);
    expect_eq(memcmp(buf, "hello", 5), 0);
    write_all(s, "world", 5);
    static char big[Big + 1];
    expect_eq(read_all(s, big, Big + 1), Big);   /* then end of file: the child shut its side */
    for (int i = 0; i < Big; i++)
        if (big[i] != (char)(i * 7))
            fail("byte %d of the transfer is wrong", i);
    close(s);
    int status;
    expect_eq(waitpid(child, &status, 0), child);
    expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(l);
    close(sync[0]);
    printf("inet_loopback: tcp between processes ok\n");
}

static void test_tcp_rules(void)
{
    unsigned short port;
    int l = tcp_listener(&port);
    int one = 0;
    socklen_t optlen = sizeof one;
    expect_eq(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &one, &optlen), 0);
    expect_eq(one, 1);
    expect_eq(getsockopt(l, SOL_SOCKET, SO_TYPE, &one, &optlen), 0);
    expect_eq(one, SOCK_STREAM);
    expect_eq(getsockopt(l, SOL_SOCKET, SO_PROTOCOL, &one, &optlen), 0);
    expect_eq(one, IPPROTO_TCP);
    one = 1;
    expect_eq(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
    expect_eq(setsockopt(l, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);

    /* The listener's port is taken; a bound socket that does not listen refuses connections. */
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in at = loopback(port);
    expect_eq(bind(t, (struct sockaddr *)&at, sizeof at), -1);
    expect_eq(errno, EADDRINUSE);
    at = loopback(0);
    expect_eq(bind(t, (struct sockaddr *)&at, sizeof at), 0);
    at = loopback(port_of(t));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    expect_eq(connect(c, (struct sockaddr *)&at, sizeof at), -1);
    expect_eq(errno, ECONNREFUSED);
    close(c);
    close(t);

    /* Not connected: no peer, reads ENOTCONN, writes EPIPE; accept on a non-listener EINVAL. */
    c = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t len = sizeof at;
    expect_eq(getpeername(c, (struct sockaddr *)&at, &len), -1);
    expect_eq(errno, ENOTCONN);
    char buf[16];
    expect_eq(read(c, buf, sizeof buf), -1);
    expect_eq(errno, ENOTCONN);
    expect_eq(send(c, "x", 1, MSG_NOSIGNAL), -1);
    expect_eq(errno, EPIPE);
    expect_eq(accept(c, NULL, NULL), -1);
    expect_eq(errno, EINVAL);
    expect_eq(shutdown(c, SHUT_RDWR), -1);
    expect_eq(errno, ENOTCONN);
    close(c);   /* (Linux keeps that shutdown: the socket could never send) */
    c = socket(AF_INET, SOCK_STREAM, 0);

    /* Nobody waiting: a non-blocking accept is EAGAIN; a connection makes the listener readable. */
    expect_eq(fcntl(l, F_SETFL, O_NONBLOCK), 0);
    expect_eq(accept(l, NULL, NULL), -1);
    expect_eq(errno, EAGAIN);
    struct pollfd p = { .fd = l, .events = POLLIN };
    expect_eq(poll(&p, 1, 0), 0);
    at = loopback(port);
    expect_eq(connect(c, (struct sockaddr *)&at, sizeof at), 0);
    expect_eq(connect(c, (struct sockaddr *)&at, sizeof at), -1);
    expect_eq(errno, EISCONN);
    expect_eq(poll(&p, 1, 1000), 1);
    expect_eq(p.revents, POLLIN);
    int s = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    expect_ne(s, -1);
    expect_true(fcntl(s, F_GETFD) & FD_CLOEXEC);
    expect_true(fcntl(s, F_GETFL) & O_NONBLOCK);
    expect_eq(read(s, buf, sizeof buf), -1);
    expect_eq(errno, EAGAIN);
    expect_eq(send(c, "abc", 3, 0), 3);
    p = (struct pollfd){ .fd = s, .events = POLLIN | POLLOUT };
    expect_eq(poll(&p, 1, 1000), 1);
    expect_eq(p.revents, POLLIN | POLLOUT);
    expect_eq(recv(s, buf, sizeof buf, 0), 3);
    /* shutdown(SHUT_WR): the other side reads end of file, and can still write back. */
    expect_eq(shutdown(c, SHUT_WR), 0);
    expect_eq(read(s, buf, sizeof buf), 0);
    expect_eq(write(s, "back", 4), 4);
    expect_eq(read(c, buf, sizeof buf), 4);
    close(s);
    expect_eq(read(c, buf, sizeof buf), 0);
    close(c);
    close(l);

    /* Closed, the port is free again. */
    int again = socket(AF_INET, SOCK_STREAM, 0);
    expect_eq(bind(again, (struct sockaddr *)&at, sizeof at), 0);
    close(again);
    printf("inet_loopback: tcp rules ok\n");
}

int main(void)
{
    start_watchdog(50);
    test_udp();
    test_tcp_between_processes();
    test_tcp_rules();
    pass();
}
