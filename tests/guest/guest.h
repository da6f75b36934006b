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
#include <signal.h>
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
    /* The watchdog starts with every signal blocked, so that a signal sent
     * to the process is taken by the program's own threads, never by it. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&t, &attr, guest_watchdog_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        fail("watchdog: pthread_create: %s", strerror(rc));
}


/* ====================================================================== */
/* Fork and futex helpers (fork_*, futex_* programs).                      */
/* ====================================================================== */

#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* musl-gcc has no kernel headers: Linux futex ABI constants. */
#ifndef FUTEX_WAIT
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#endif

#define GUEST_PAGE 4096

/* The two flavours every futex scenario runs with: FUTEX_FLAGS(i), i = 0, 1. */
#define FUTEX_FLAGS(i) ((i) ? FUTEX_PRIVATE_FLAG : 0)
static inline const char *flag_name(int flags)
{
    return (flags & FUTEX_PRIVATE_FLAG) ? "private" : "plain";
}

/*
 * Raw futex(2): the real system call, never a libc wrapper. Returns the
 * syscall result, or -errno. `arg4` is the timeout pointer or val2.
 */
static inline long futex_raw(volatile void *uaddr, int op, long val, long arg4,
                             volatile void *uaddr2, long val3)
{
    long r = syscall(SYS_futex, uaddr, op, val, arg4, uaddr2, val3);
    return r == -1 ? -(long)errno : r;
}

/* FUTEX_WAIT with a relative timeout in ms (< 0: no timeout). 0 or -errno. */
static inline long futex_wait_ms(volatile int *w, int val, int flags, long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    return futex_raw(w, FUTEX_WAIT | flags, val, ms < 0 ? 0 : (long)&ts, NULL, 0);
}

/* FUTEX_WAKE: number woken, or -errno. */
static inline long futex_wake(volatile int *w, int n, int flags)
{
    return futex_raw(w, FUTEX_WAKE | flags, n, 0, NULL, 0);
}

static inline const char *errno_str(long neg)
{
    switch (-neg) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EINTR: return "EINTR";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case ENOSYS: return "ENOSYS";
    case ENOMEM: return "ENOMEM";
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case EDEADLK: return "EDEADLK";
    case EOWNERDEAD: return "EOWNERDEAD";
    default: return "E?";
    }
}

static inline void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static inline uint64_t ms_since(uint64_t t0) { return (now_ns() - t0) / 1000000ull; }

/*
 * A thread blocked in one FUTEX_WAIT with a deadline.  `state` goes
 * 0 -> 1 (about to call futex) -> 2 (returned, `result` valid).  The caller
 * cannot observe "queued in the kernel" directly, so waiter_settle() waits
 * for state 1 and then sleeps long enough for the thread to reach the queue;
 * scenarios change the word before waking, so a waiter that was late anyway
 * returns EAGAIN (detectable) instead of passing vacuously.
 */
struct waiter {
    volatile int *word;
    int val;
    int op;            /* FUTEX_WAIT or FUTEX_WAIT_BITSET, plus flags */
    unsigned bitset;   /* for FUTEX_WAIT_BITSET */
    long timeout_ms;   /* relative; turned into an absolute one for BITSET */
    int index;
    volatile int state;
    volatile long result;
    volatile uint64_t woke_ns;
    volatile int *order_counter; /* optional: wake order (atomic fetch-add) */
    volatile int order;
    pthread_t thread;
};

static void *guest_waiter_main(void *arg)
{
    struct waiter *w = arg;
    struct timespec ts = { w->timeout_ms / 1000, (w->timeout_ms % 1000) * 1000000L };
    if ((w->op & 127) == FUTEX_WAIT_BITSET) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        ts.tv_sec += now.tv_sec;
        ts.tv_nsec += now.tv_nsec;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
    }
    __atomic_store_n(&w->state, 1, __ATOMIC_SEQ_CST);
    long r = futex_raw(w->word, w->op, w->val, (long)&ts, NULL,
                       (w->op & 127) == FUTEX_WAIT_BITSET ? (long)w->bitset : 0);
    w->woke_ns = now_ns();
    if (w->order_counter)
        w->order = __atomic_fetch_add(w->order_counter, 1, __ATOMIC_SEQ_CST);
    w->result = r;
    __atomic_store_n(&w->state, 2, __ATOMIC_SEQ_CST);
    return NULL;
}

static inline void waiter_start(struct waiter *w, volatile int *word, int val, int flags,
                                long timeout_ms)
{
    w->word = word;
    w->val = val;
    if ((w->op & 127) != FUTEX_WAIT_BITSET)
        w->op = FUTEX_WAIT;
    w->op |= flags;
    w->timeout_ms = timeout_ms;
    w->state = 0;
    w->result = 1;
    int rc = pthread_create(&w->thread, NULL, guest_waiter_main, w);
    if (rc != 0)
        fail("pthread_create(waiter): %s", strerror(rc));
}

/* Wait until the waiter is about to block, then give it time to get queued. */
#define WAITER_SETTLE_MS 50
static inline void waiter_settle(struct waiter *w)
{
    uint64_t t0 = now_ns();
    while (__atomic_load_n(&w->state, __ATOMIC_SEQ_CST) == 0) {
        if (ms_since(t0) > 5000)
            fail("waiter thread %d never started", w->index);
        sleep_ms(1);
    }
    sleep_ms(WAITER_SETTLE_MS);
}

static inline int waiter_done(struct waiter *w)
{
    return __atomic_load_n(&w->state, __ATOMIC_SEQ_CST) == 2;
}

/* Poll until the waiter has returned, at most `ms`. Returns 1 if it did. */
static inline int waiter_await(struct waiter *w, long ms)
{
    uint64_t t0 = now_ns();
    while (!waiter_done(w)) {
        if ((long)ms_since(t0) >= ms)
            return 0;
        sleep_ms(1);
    }
    return 1;
}

static inline void waiter_join(struct waiter *w)
{
    int rc = pthread_join(w->thread, NULL);
    if (rc != 0)
        fail("pthread_join(waiter): %s", strerror(rc));
}

/*
 * A forked child that stays alive (and touches nothing) until released, so
 * pages stay COW-shared with the parent as long as the test needs.
 * Children never print PASS/FAIL lines: they report through the exit code;
 * child_say() prints a diagnostic line prefixed with the program name.
 */
struct held_child {
    pid_t pid;
    int ready_rd;   /* parent reads one byte per child_signal() */
    int release_wr; /* parent writes one byte per child_release() */
    int c_ready_wr; /* child side */
    int c_release_rd;
};

__attribute__((format(printf, 1, 2))) static inline void child_say(const char *fmt, ...)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%s: child %d: ", GUEST_NAME, (int)getpid());
    if (n < 0)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m > 0)
        n += m;
    if ((size_t)n > sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    guest_write_all(buf, (size_t)n);
}

/* fork(); in the child returns 0 with the pipes set up, in the parent the pid. */
static inline pid_t held_fork(struct held_child *c)
{
    int a[2], b[2];
    if (pipe(a) != 0 || pipe(b) != 0)
        fail("pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        close(a[0]);
        close(b[1]);
        c->pid = 0;
        c->c_ready_wr = a[1];
        c->c_release_rd = b[0];
        return 0;
    }
    close(a[1]);
    close(b[0]);
    c->pid = pid;
    c->ready_rd = a[0];
    c->release_wr = b[1];
    return pid;
}

/* Child: tell the parent "ready" (one byte). */
static inline void child_signal(struct held_child *c)
{
    char x = 'r';
    if (write(c->c_ready_wr, &x, 1) != 1)
        _exit(120);
}

/* Child: block until the parent releases us (or dies: EOF). 1 if released. */
static inline int child_wait_release(struct held_child *c)
{
    char x;
    ssize_t n;
    while ((n = read(c->c_release_rd, &x, 1)) < 0 && errno == EINTR)
        ;
    return n == 1;
}

/* Parent: wait for one "ready" byte. */
static inline void parent_wait_ready(struct held_child *c, const char *what)
{
    char x;
    ssize_t n;
    while ((n = read(c->ready_rd, &x, 1)) < 0 && errno == EINTR)
        ;
    if (n != 1)
        fail("%s: child %d died before signalling ready", what, (int)c->pid);
}

static inline void parent_release(struct held_child *c)
{
    char x = 'g';
    if (write(c->release_wr, &x, 1) != 1)
        fail("release child %d: %s", (int)c->pid, strerror(errno));
}

/* Describe a wait status: "exit 3", "signal 11". */
static inline const char *status_str(int st, char *buf, size_t len)
{
    if (WIFEXITED(st))
        snprintf(buf, len, "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, len, "signal %d", WTERMSIG(st));
    else
        snprintf(buf, len, "status 0x%x", st);
    return buf;
}

/* Reap a child (blocking; the watchdog bounds it) and return its exit code, -signal if killed. */
static inline int reap(pid_t pid, const char *what)
{
    int st = 0;
    pid_t r;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (r != pid)
        fail("%s: waitpid(%d) = %d: %s", what, (int)pid, (int)r, strerror(errno));
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return -WTERMSIG(st);
    fail("%s: child %d: odd wait status 0x%x", what, (int)pid, st);
}

/* Release a held child and reap it; returns its exit code (or -signal). */
static inline int held_finish(struct held_child *c, const char *what)
{
    parent_release(c);
    close(c->release_wr);
    close(c->ready_rd);
    return reap(c->pid, what);
}


#ifdef GUEST_COW_SCENARIOS
/*
 * COW futex scenarios (futex_cow_*, futex_wait_after_fork,
 * futex_requeue_after_fork, futex_cow_child_writes; futex_isolation uses the
 * cases only): waiters on a private futex word, a fork whose child keeps the
 * word's page COW-shared, then the parent writes the word and wakes.  The
 * knobs are the order (wait before or after the fork, or requeued onto the
 * word after it) and who writes the page first (parent or child).  See docs/futex.md:
 * under `nosticky` a parent-writes-first round loses every wakeup.
 */

/* A woken waiter returns at once; a lost one shows as ETIMEDOUT at this deadline. */
#define WAKE_DEADLINE_MS 2000
#define COW_MAX_WAITERS 8

#include <stdlib.h>
#include <sys/mman.h>

/*
 * WAIT_THEN_FORK: the waiters queue on the word, then the fork.
 * FORK_THEN_WAIT: the fork, then the waiters queue on the still-shared word.
 * FORK_THEN_REQUEUE: the fork, then the waiters queue on a word A on a page
 *   mapped after the fork (the child has no such page), and the parent moves
 *   them with FUTEX_CMP_REQUEUE (wake 0, requeue all) to the case's word,
 *   still shared with the child: the requeue target must get the same COW
 *   treatment as a wait.
 * REQUEUE_THEN_FORK: the waiters queue on a word A on a page of its own and
 *   are moved to the case's word (another page) as above, then the fork: the
 *   waiters' hold on their frame (sticky's pin) must have moved with them to
 *   the case's page, or the fork shares that page and the parent's write
 *   leaves them behind.
 */
enum cow_order { WAIT_THEN_FORK, FORK_THEN_WAIT, FORK_THEN_REQUEUE, REQUEUE_THEN_FORK };
enum cow_first { PARENT_WRITES_FIRST, CHILD_WRITES_FIRST };

struct cow_case {
    const char *where;   /* "stack", "heap", ... */
    unsigned kind;       /* COW_STACK, ... (set by cow_fill_cases) */
    volatile int *word;  /* must not be in the last 64 bytes of its page */
    int flags;           /* 0 or FUTEX_PRIVATE_FLAG */
    int nwaiters;
    struct waiter w[COW_MAX_WAITERS];
    volatile int *from;  /* the requeue orders: the word the waiters wait on first */
    long requeue_ret;
    long wake_ret;
    uint64_t pfn_before; /* GUEST_VERIFY_PFN only */
};


/* Where cow_fill_cases() puts the words (a bit set). */
enum cow_kind { COW_STACK = 1, COW_HEAP = 2, COW_MMAP = 4, COW_BSS = 8 };

/*
 * The stack pages of the COW_STACK cases: declare the area in the caller's
 * noinline function that runs the rounds, so that every deeper frame (the
 * engine's, libc's, the child's) lies below it and only the test touches
 * its pages; COW_STACK_KEEP(area) at the end of that function keeps the
 * compiler from dropping the array.
 */
#define COW_STACK_AREA(name) char name[5 * GUEST_PAGE]
#define COW_STACK_KEEP(name) __asm__ volatile("" : : "r"(name) : "memory")

static int guest_cow_bss[2][GUEST_PAGE / sizeof(int)] __attribute__((aligned(GUEST_PAGE), unused));

/*
 * Fill cs[] with a plain and a private case (in that order) for each kind in
 * `kinds`, in the order stack, heap, mmap, bss; returns the number of cases.
 * Every word lies on a page of its own, nothing else of the program on it:
 *   stack  pages 0 and 2 of `stack_area` (COW_STACK_AREA; NULL without COW_STACK)
 *   heap   a page inside a two-page malloc'd block (musl: the brk heap)
 *   mmap   the two pages of a private anonymous mapping
 *   bss    two page-aligned static pages (shared by every call: call once)
 * Each case gets `nwaiters` waiters; change cs[i].nwaiters afterwards to vary it.
 */
__attribute__((unused)) static int cow_fill_cases(struct cow_case *cs, unsigned kinds, char *stack_area,
                                                  int nwaiters)
{
    int n = 0;
    char *m = NULL;
    uintptr_t stack = ((uintptr_t)stack_area + GUEST_PAGE - 1) & ~(uintptr_t)(GUEST_PAGE - 1);
    if ((kinds & COW_STACK) && !stack_area)
        fail("cow_fill_cases: COW_STACK without a stack area");
    if (kinds & COW_MMAP) {
        m = mmap(NULL, 2 * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            fail("mmap: %s", strerror(errno));
    }
    for (unsigned kind = COW_STACK; kind <= COW_BSS; kind <<= 1) {
        if (!(kinds & kind))
            continue;
        for (int i = 0; i < 2; i++) {
            struct cow_case *c = &cs[n++];
            memset(c, 0, sizeof *c);
            c->kind = kind;
            c->flags = FUTEX_FLAGS(i);
            c->nwaiters = nwaiters;
            if (kind == COW_STACK) {
                c->where = "stack";
                c->word = (volatile int *)(stack + (uintptr_t)(2 * i) * GUEST_PAGE + 256);
            } else if (kind == COW_HEAP) {
                char *p = malloc(2 * GUEST_PAGE);
                if (!p)
                    fail("malloc failed");
                uintptr_t page = ((uintptr_t)p + GUEST_PAGE - 1) & ~(uintptr_t)(GUEST_PAGE - 1);
                memset((void *)page, 0, GUEST_PAGE);
                c->where = "heap";
                c->word = (volatile int *)(page + 256);
            } else if (kind == COW_MMAP) {
                c->where = "mmap";
                c->word = (volatile int *)(m + i * GUEST_PAGE + 1024);
            } else {
                c->where = "bss";
                c->word = &guest_cow_bss[i][100];
            }
        }
    }
    return n;
}


#ifdef GUEST_VERIFY_PFN
/*
 * Native self-check (build with -DGUEST_VERIFY_PFN, run as root on Linux):
 * reads /proc/<pid>/pagemap to prove the page really is still shared with
 * the child (or already split) at the moment the parent writes. Linux keeps
 * no eager copies, so the frames must match exactly when we expect sharing.
 */
#include <fcntl.h>
static uint64_t guest_pfn(pid_t pid, volatile void *addr)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/pagemap", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        fail("pfn check: open %s: %s", path, strerror(errno));
    uint64_t e = 0;
    off_t off = (off_t)((uintptr_t)addr / GUEST_PAGE) * 8;
    if (pread(fd, &e, 8, off) != 8)
        fail("pfn check: pread: %s", strerror(errno));
    close(fd);
    if (!(e >> 63))
        return 0;
    return e & ((1ull << 55) - 1);
}
__attribute__((unused)) static void cow_verify_pfn(struct cow_case *cs, int n, pid_t child, int expect_shared,
                           int op_after_fork)
{
    for (int i = 0; i < n; i++) {
        /* Linux's own plain futex ops (wait, requeue) break COW (get_user_pages FOLL_WRITE). */
        if (op_after_fork && !(cs[i].flags & FUTEX_PRIVATE_FLAG) && expect_shared)
            continue;
        uint64_t a = guest_pfn(getpid(), cs[i].word), b = guest_pfn(child, cs[i].word);
        printf("%s: pfn check %s/%s: parent %llx child %llx (%s)\n", GUEST_NAME, cs[i].where,
               flag_name(cs[i].flags), (unsigned long long)a, (unsigned long long)b,
               a == b ? "shared" : "split");
        if (a == 0 || (a == b) != expect_shared)
            fail("pfn check: %s/%s not %s", cs[i].where, flag_name(cs[i].flags),
                 expect_shared ? "shared" : "split");
    }
}
/* Before the fork: remember the frame. After the parent's write: did it move? */
__attribute__((unused)) static void cow_pfn_before(struct cow_case *cs, int n)
{
    for (int i = 0; i < n; i++)
        cs[i].pfn_before = guest_pfn(getpid(), cs[i].word);
}
__attribute__((unused)) static void cow_pfn_after(struct cow_case *cs, int n, int expect_moved, int op_after_fork)
{
    for (int i = 0; i < n; i++) {
        if (op_after_fork && !(cs[i].flags & FUTEX_PRIVATE_FLAG) && expect_moved)
            continue;
        uint64_t a = guest_pfn(getpid(), cs[i].word);
        printf("%s: pfn check %s/%s: parent frame %s by its write\n", GUEST_NAME, cs[i].where,
               flag_name(cs[i].flags), a == cs[i].pfn_before ? "kept" : "moved");
        if ((a != cs[i].pfn_before) != expect_moved)
            fail("pfn check: %s/%s: parent frame %s", cs[i].where, flag_name(cs[i].flags),
                 expect_moved ? "kept" : "moved");
    }
}
#else
#define cow_verify_pfn(cs, n, child, expect_shared, op_after_fork) ((void)(op_after_fork))
#define cow_pfn_before(cs, n) ((void)0)
#define cow_pfn_after(cs, n, expect_moved, op_after_fork) ((void)(op_after_fork))
#endif

/* Offset of the word the child writes in CHILD_WRITES_FIRST (same page). */
#define COW_CHILD_WORD 16

/* The requeue orders: waiters queue on words on a page of their own (returned,
 * for munmap), then FUTEX_CMP_REQUEUE (wake 0, requeue all) moves them to each
 * case's word. */
__attribute__((unused)) static char *cow_requeue(struct cow_case *cs, int n)
{
    char *src = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (src == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        cs[i].from = (volatile int *)(src + 64 * i);
        *cs[i].from = 0;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < cs[i].nwaiters; k++) {
            cs[i].w[k].index = k;
            waiter_start(&cs[i].w[k], cs[i].from, 0, cs[i].flags, WAKE_DEADLINE_MS);
            waiter_settle(&cs[i].w[k]);
        }
    for (int i = 0; i < n; i++)
        cs[i].requeue_ret = futex_raw(cs[i].from, FUTEX_CMP_REQUEUE | cs[i].flags, 0, INT_MAX,
                                      cs[i].word, 0);
    /* A waiter that was not queued yet now returns EAGAIN: detectably late. */
    for (int i = 0; i < n; i++)
        *cs[i].from = 1;
    return src;
}

/*
 * One round. Returns 0 if every case passed, 1 if some waiter returned
 * EAGAIN (it was not yet queued when the word changed: inconclusive, retry),
 * or calls fail().  The verdict is strict, so that a nosticky=fail program
 * fails with the 2002 bug's symptom only when the round shows exactly that
 * bug: a case is "lost" only if its wake returned 0 AND every one of its
 * waiters timed out; "lost wakeup" is reported only when every case of the
 * round is lost.  Anything else (a wrong wake count, some waiters woken,
 * an errno such as EFAULT or EINTR, a mix of passed and lost cases) is an
 * "unexpected result".
 */
__attribute__((unused)) static int cow_round(struct cow_case *cs, int n, enum cow_order order, enum cow_first first)
{
    for (int i = 0; i < n; i++) {
        *cs[i].word = 0;
        cs[i].word[COW_CHILD_WORD] = 0;
    }
    if (order == WAIT_THEN_FORK)
        for (int i = 0; i < n; i++)
            for (int k = 0; k < cs[i].nwaiters; k++) {
                cs[i].w[k].index = k;
                waiter_start(&cs[i].w[k], cs[i].word, 0, cs[i].flags, WAKE_DEADLINE_MS);
                waiter_settle(&cs[i].w[k]);
            }
    char *src = order == REQUEUE_THEN_FORK ? cow_requeue(cs, n) : NULL;

    cow_pfn_before(cs, n);
    struct held_child c;
    if (held_fork(&c) == 0) {
        /* Child: touch nothing of the parent's words, except the control's write. */
        if (first == CHILD_WRITES_FIRST)
            for (int i = 0; i < n; i++)
                cs[i].word[COW_CHILD_WORD] = 0x5a5a;
        child_signal(&c);
        child_wait_release(&c);
        /* The child's copy must not see the parent's write of 1. */
        for (int i = 0; i < n; i++)
            if (*cs[i].word != 0)
                _exit(10 + i);
        _exit(0);
    }
    parent_wait_ready(&c, "cow_round");

    if (order == FORK_THEN_WAIT)
        for (int i = 0; i < n; i++)
            for (int k = 0; k < cs[i].nwaiters; k++) {
                cs[i].w[k].index = k;
                waiter_start(&cs[i].w[k], cs[i].word, 0, cs[i].flags, WAKE_DEADLINE_MS);
                waiter_settle(&cs[i].w[k]);
            }

    if (order == FORK_THEN_REQUEUE)
        src = cow_requeue(cs, n);

    /* Was there a futex op on the word after the fork (Linux's plain ops break COW)? */
    int op_after_fork = order == FORK_THEN_WAIT || order == FORK_THEN_REQUEUE;
    cow_verify_pfn(cs, n, c.pid, first == PARENT_WRITES_FIRST, op_after_fork);
    /* The parent's write: a COW fault while the child still maps the frame. */
    for (int i = 0; i < n; i++) {
        *cs[i].word = 1;
        cs[i].wake_ret = futex_wake(cs[i].word, INT_MAX, cs[i].flags);
    }
    cow_pfn_after(cs, n, first == PARENT_WRITES_FIRST, op_after_fork);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < cs[i].nwaiters; k++)
            waiter_join(&cs[i].w[k]);
    if (src)
        munmap(src, GUEST_PAGE);
    int code = held_finish(&c, "cow_round");
    if (code != 0)
        fail("unexpected result: child exited with %d (10+i: case i's word changed in the "
             "child's copy)", code);

    int late = 0, lost = 0, unexpected = 0;
    char msg[480];
    size_t len = 0;
    msg[0] = 0;
    for (int i = 0; i < n; i++) {
        int woken = 0, timedout = 0, eagain = 0;
        long other = 0;
        for (int k = 0; k < cs[i].nwaiters; k++) {
            long r = cs[i].w[k].result;
            if (r == 0)
                woken++;
            else if (r == -ETIMEDOUT)
                timedout++;
            else if (r == -EAGAIN)
                eagain++;
            else
                other = r;
        }
        int requeues = order == FORK_THEN_REQUEUE || order == REQUEUE_THEN_FORK;
        int requeued = !requeues || cs[i].requeue_ret == cs[i].nwaiters;
        if (requeues)
            printf("%s: %s/%s: FUTEX_CMP_REQUEUE returned %ld\n", GUEST_NAME, cs[i].where,
                   flag_name(cs[i].flags), cs[i].requeue_ret);
        printf("%s: %s/%s: FUTEX_WAKE returned %ld, %d/%d waiters woken, %d timed out%s%s\n",
               GUEST_NAME, cs[i].where, flag_name(cs[i].flags), cs[i].wake_ret, woken,
               cs[i].nwaiters, timedout, other ? ", one returned " : "", other ? errno_str(other) : "");
        /* Late: a waiter was not queued when the word changed (or when the requeue ran). */
        if (eagain || (!requeued && cs[i].requeue_ret >= 0 && cs[i].requeue_ret < cs[i].nwaiters)) {
            late = 1;
            continue;
        }
        if (requeued && cs[i].wake_ret == cs[i].nwaiters && woken == cs[i].nwaiters)
            continue;
        if (requeued && cs[i].wake_ret == 0 && timedout == cs[i].nwaiters)
            lost++;
        else
            unexpected++;
        if (len < sizeof msg - 1) {
            char rq[32] = "";
            if (requeues)
                snprintf(rq, sizeof rq, "requeue %ld of %d, ", cs[i].requeue_ret, cs[i].nwaiters);
            int m = snprintf(msg + len, sizeof msg - len, "%s%s/%s: %swake %ld of %d, %d woken, "
                             "%d timed out%s%s", len ? "; " : "", cs[i].where, flag_name(cs[i].flags),
                             rq, cs[i].wake_ret, cs[i].nwaiters, woken, timedout, other ? ", " : "",
                             other ? errno_str(other) : "");
            if (m > 0)
                len += (size_t)m;
        }
    }
    if (unexpected)
        fail("unexpected result: %s", msg);
    if (late)
        return 1;
    if (lost == n)
        fail("lost wakeup: every wake returned 0, every waiter timed out after %d ms (%s)",
             WAKE_DEADLINE_MS, msg);
    if (lost)
        fail("unexpected result: only %d of %d cases lost their wakeup: %s", lost, n, msg);
    return 0;
}

/* Run a round, retrying (at most 3 times) when a waiter was not queued in time. */
__attribute__((unused)) static void cow_run(struct cow_case *cs, int n, enum cow_order order, enum cow_first first)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        if (cow_round(cs, n, order, first) == 0)
            return;
        printf("%s: a waiter was not queued before the wake (EAGAIN); retrying\n", GUEST_NAME);
    }
    fail("waiters never got queued within %d ms: inconclusive", WAITER_SETTLE_MS);
}
#endif /* GUEST_COW_SCENARIOS */

#endif /* STICKYOS_GUEST_H */
