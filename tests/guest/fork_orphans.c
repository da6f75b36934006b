// guest: timeout=60
/*
 * fork_orphans - a child forks a grandchild and exits at once: the orphaned
 * grandchild must be adopted (getppid() changes to init, pid 1 on stickyos;
 * on Linux possibly a subreaper), keep running, and be reaped by its new
 * parent after it exits — the runner's accounting line after this program
 * would show a leftover process otherwise. The grandchild reports through
 * a pipe; its write end closing is how the test knows it has exited.
 */
#define GUEST_NAME "fork_orphans"
#include "guest.h"

#include <sys/wait.h>

int main(void)
{
    start_watchdog(50);
    int fds[2];
    if (pipe(fds) != 0)
        fail("pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        fail("fork: %s", strerror(errno));
    if (child == 0) {
        pid_t me = getpid();
        pid_t grandchild = fork();
        if (grandchild < 0)
            _exit(2);
        if (grandchild == 0) {
            close(fds[0]);
            /* Wait (bounded) for the parent to die and the adoption to happen. */
            uint64_t deadline = now_ns() + 5000000000ull;
            while (getppid() == me && now_ns() < deadline) {
                struct timespec ts = { 0, 1000000 };
                nanosleep(&ts, NULL);
            }
            int report[2] = { (int)me, (int)getppid() };
            if (write(fds[1], report, sizeof report) != (ssize_t)sizeof report)
                _exit(3);
            _exit(0);
        }
        _exit(0);   /* orphan the grandchild */
    }
    close(fds[1]);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("child: wait status %#x", status);

    int report[2];
    ssize_t n = read(fds[0], report, sizeof report);
    if (n != (ssize_t)sizeof report)
        fail("no report from the grandchild (read returned %zd)", n);
    if (report[1] == report[0])
        fail("grandchild still has its dead parent %d as parent after 5 s", report[0]);
    printf("%s: grandchild adopted: parent %d -> %d\n", GUEST_NAME, report[0], report[1]);
    char c;
    if (read(fds[0], &c, 1) != 0)   /* EOF: the grandchild has exited */
        fail("pipe not at EOF after the grandchild's report");
    if (waitpid(-1, &status, WNOHANG) != -1 || errno != ECHILD)
        fail("the adopted grandchild was not adopted by init: it is still our child");
    pass();
}
