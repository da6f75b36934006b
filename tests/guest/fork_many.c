// guest: timeout=180
/*
 * fork_many - 1000 sequential fork / _exit(code) / waitpid: every wait
 * returns the pid that fork returned, WIFEXITED, and the distinct exit code
 * (i * 7 + 1) & 255; child pids are never 0 or our own pid. Catches leaks
 * of pids/frames/kernel stacks that only show after hundreds of processes
 * (the init accounting line after this program does the rest).
 */
#define GUEST_NAME "fork_many"
#include "guest.h"

#define N 1000

int main(void)
{
    start_watchdog(170);
    pid_t self = getpid();
    uint64_t t0 = now_ns();
    for (int i = 0; i < N; i++) {
        int want = (i * 7 + 1) & 255;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            fail("fork #%d: %s", i, strerror(errno));
        if (pid == 0)
            _exit(want);
        if (pid == self)
            fail("fork #%d returned our own pid", i);
        int st = 0;
        pid_t r;
        while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
            ;
        if (r != pid)
            fail("fork #%d: waitpid(%d) returned %d (%s)", i, (int)pid, (int)r, strerror(errno));
        char sb[32];
        if (!WIFEXITED(st) || WEXITSTATUS(st) != want)
            fail("fork #%d: child status %s, expected exit %d", i, status_str(st, sb, sizeof sb),
                 want);
    }
    /* nothing left to wait for */
    errno = 0;
    if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
        fail("waitpid(-1) after reaping everything: expected ECHILD, got errno %d", errno);
    printf("%s: %d fork/exit/wait cycles in %llu ms\n", GUEST_NAME, N,
           (unsigned long long)ms_since(t0));
    pass();
}
