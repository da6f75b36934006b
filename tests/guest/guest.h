/*
 * guest.h - tiny shared helpers for stickyos guest test programs.
 *
 * Every program: prints progress to stdout, ends with exactly one line
 * "PASS <name>" (exit 0) or "FAIL <name>: <reason>" (exit 1).
 * Every wait has a deadline: start_watchdog() spawns a thread that prints
 * FAIL and _exit(1)s if the program is still running after N seconds.
 *
 * Define GUEST_NAME before including this header, e.g.
 *     #define GUEST_NAME "hello"
 */
#ifndef STICKYOS_GUEST_H
#define STICKYOS_GUEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef GUEST_NAME
#error "define GUEST_NAME before including guest.h"
#endif

/* Write the whole buffer to fd 1 with write(2), retrying on short writes. */
static inline void guest_write_all(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(1, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* Monotonic clock in nanoseconds. */
static inline uint64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Print "PASS <name>" and exit 0. */
__attribute__((noreturn)) static inline void pass(void)
{
    fflush(stdout);
    fflush(stderr);
    guest_write_all("PASS " GUEST_NAME "\n", sizeof("PASS " GUEST_NAME "\n") - 1);
    _exit(0);
}

/* Print "FAIL <name>: <reason>" and exit 1. Safe to call from any thread. */
__attribute__((noreturn, format(printf, 1, 2)))
static inline void fail(const char *fmt, ...)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "FAIL %s: ", GUEST_NAME);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof buf) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
        va_end(ap);
        if (m > 0)
            n += m;
    }
    if ((size_t)n > sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    fflush(stdout);
    guest_write_all(buf, (size_t)n);
    _exit(1);
}

/* expect_eq(actual, expected): compare as long long, fail with location. */
#define expect_eq(a, b)                                                       \
    do {                                                                      \
        long long _ea = (long long)(a), _eb = (long long)(b);                 \
        if (_ea != _eb)                                                       \
            fail("%s:%d: %s == %lld, expected %s == %lld", __FILE__,          \
                 __LINE__, #a, _ea, #b, _eb);                                 \
    } while (0)

#define expect_ne(a, b)                                                       \
    do {                                                                      \
        long long _ea = (long long)(a), _eb = (long long)(b);                 \
        if (_ea == _eb)                                                       \
            fail("%s:%d: %s == %lld, expected != %s", __FILE__, __LINE__,     \
                 #a, _ea, #b);                                                \
    } while (0)

#define expect_true(c)                                                        \
    do {                                                                      \
        if (!(c))                                                             \
            fail("%s:%d: expected %s", __FILE__, __LINE__, #c);               \
    } while (0)

static unsigned guest_watchdog_seconds;

static void *guest_watchdog_main(void *arg)
{
    (void)arg;
    uint64_t deadline = now_ns() + (uint64_t)guest_watchdog_seconds * 1000000000ull;
    for (;;) {
        uint64_t t = now_ns();
        if (t >= deadline)
            break;
        struct timespec ts = { 0, 50 * 1000 * 1000 }; /* poll every 50 ms */
        nanosleep(&ts, NULL);
    }
    fail("watchdog: deadline of %u s exceeded", guest_watchdog_seconds);
}

/*
 * Start a detached watchdog thread: FAIL + _exit(1) after `seconds`.
 * Also makes stdout line-buffered so printf progress lines interleave
 * correctly with raw write(2) output even when stdout is a pipe.
 */
static inline void start_watchdog(unsigned seconds)
{
    pthread_t t;
    setvbuf(stdout, NULL, _IOLBF, 0);
    pthread_attr_t attr;
    guest_watchdog_seconds = seconds;
    if (pthread_attr_init(&attr) != 0)
        fail("watchdog: pthread_attr_init");
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, guest_watchdog_main, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        fail("watchdog: pthread_create: %s", strerror(rc));
}

#endif /* STICKYOS_GUEST_H */
