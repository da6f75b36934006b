// guest: skip-native mem=32M timeout=300
/*
 * fork_enomem - running out of memory by forking fails cleanly and the
 * system recovers.
 *
 * Round 1: fork children that stay alive (blocked reading a pipe) after
 * each touching TOUCH_PAGES pages of a private buffer (COW copies), until
 * fork fails. The failure must be ENOMEM or EAGAIN (not a crash, a hang or
 * another errno). Then all children are released and reaped: each exits 0,
 * or - if the kernel ran out of frames in its COW fault - is killed by a
 * signal (counted, allowed). Then fork works again (3 times, exit codes
 * checked). Round 2 repeats the exhaustion: it must reach at least 90% of
 * round 1's children, or memory leaked.
 *
 * skip-native: on the host it would exhaust the machine. To exercise the
 * logic natively, run it under a process limit as an unprivileged user:
 *     setpriv --reuid=65534 --regid=65534 --clear-groups \
 *         prlimit --nproc=60 build/guest/fork_enomem
 */
#define GUEST_NAME "fork_enomem"
#include "guest.h"

#include <sys/mman.h>

#define MAX_CHILDREN 4000
#define BUF_PAGES 64
#define TOUCH_PAGES 16

struct shared { volatile int ready; };
static struct shared *sh;
static char *buf;
static pid_t kids[MAX_CHILDREN];

/* One exhaustion round; returns the number of children that were alive. */
static int exhaust(int round)
{
    int rel[2];
    if (pipe(rel) != 0)
        fail("pipe: %s", strerror(errno));
    sh->ready = 0;
    int n = 0, killed = 0, ferr = 0;
    uint64_t t0 = now_ns();
    for (;;) {
        if (n == MAX_CHILDREN)
            fail("round %d: %d children alive and fork never failed: memory limit not reached?",
                 round, n);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            ferr = errno;
            break;
        }
        if (pid == 0) {
            close(rel[1]);
            for (int p = 0; p < TOUCH_PAGES; p++)
                buf[(size_t)((getpid() + p) % BUF_PAGES) * GUEST_PAGE] = (char)p;
            __atomic_fetch_add(&sh->ready, 1, __ATOMIC_SEQ_CST);
            char x;
            while (read(rel[0], &x, 1) < 0 && errno == EINTR)
                ;
            _exit(0);
        }
        kids[n++] = pid;
        /* wait until it touched its pages (or died trying) */
        uint64_t ts = now_ns();
        while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < n) {
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                killed++;
                kids[--n] = 0;
                break;
            }
            if (ms_since(ts) > 20000)
                fail("round %d: child %d neither got ready nor died in 20 s", round, n);
            sleep_ms(1);
        }
    }
    printf("%s: round %d: fork #%d failed with %s after %llu ms; %d children alive, %d died "
           "touching memory\n", GUEST_NAME, round, n + killed + 1, errno_str(-ferr),
           (unsigned long long)ms_since(t0), n, killed);
    if (ferr != ENOMEM && ferr != EAGAIN)
        fail("round %d: fork failed with errno %d (%s), expected ENOMEM or EAGAIN", round, ferr,
             strerror(ferr));
    if (n == 0)
        fail("round %d: not a single child could be created", round);

    close(rel[1]); /* releases every child: EOF */
    close(rel[0]);
    int signalled = 0;
    for (int i = 0; i < n; i++) {
        int code = reap(kids[i], "exhaustion child");
        if (code < 0)
            signalled++;
        else if (code != 0)
            fail("round %d: child %d exited %d", round, i, code);
    }
    if (signalled)
        printf("%s: round %d: %d children were killed by a signal (OOM in a COW fault)\n",
               GUEST_NAME, round, signalled);
    errno = 0;
    if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
        fail("round %d: children left after reaping all", round);

    /* recovered: fork works again */
    for (int k = 0; k < 3; k++) {
        pid_t pid = fork();
        if (pid < 0)
            fail("round %d: fork after reaping everything failed: %s", round, strerror(errno));
        if (pid == 0)
            _exit(40 + k);
        int code = reap(pid, "recovery child");
        if (code != 40 + k)
            fail("round %d: recovery child exited %d, expected %d", round, code, 40 + k);
    }
    printf("%s: round %d: all reaped, fork works again\n", GUEST_NAME, round);
    return n;
}

int main(void)
{
    start_watchdog(290);
    sh = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    buf = mmap(NULL, BUF_PAGES * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0);
    if (sh == MAP_FAILED || buf == MAP_FAILED)
        fail("mmap: %s", strerror(errno));
    memset(buf, 1, BUF_PAGES * GUEST_PAGE);
    int n1 = exhaust(1);
    int n2 = exhaust(2);
    if (n2 * 10 < n1 * 9)
        fail("round 2 reached only %d children, round 1 reached %d: memory leaked", n2, n1);
    pass();
}
