/* tty_jobs.c - process groups, sessions and the terminal's foreground group,
 * as a shell's job control uses them: the program leads its session (init on
 * stickyos, the pty runner natively), puts children in groups of their own,
 * hands them the terminal, and Ctrl-C (typed once it prints "waiting for
 * input") reaches the foreground group only: a child at the default action
 * dies of SIGINT, one that ignores SIGINT reads on. Also Linux's errors for
 * setsid, setpgid and TIOCSPGRP, and wait4/kill on process groups.
 * skip-native: it needs to lead a session with a terminal; the guest suite
 * runs it natively under a pty.
 */
// guest: timeout=40 skip-native
// guest-input: "\x03"
// guest-input: "\x03line\n"
#define GUEST_NAME "tty_jobs"
#include "guest.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

/* A child in a process group of its own, in the foreground; it runs `body`.
 * Both sides call setpgid and tcsetpgrp, as shells do: on Linux a child that
 * read the terminal from the background would be stopped (SIGTTIN). */
static pid_t foreground_child(void (*body)(void))
{
    pid_t child = fork();
    if (child < 0)
        fail("fork: %s", strerror(errno));
    if (child == 0) {
        setpgid(0, 0);
        tcsetpgrp(0, getpid());
        body();
        _exit(0);
    }
    if (setpgid(child, child) != 0 && errno != EACCES)
        fail("setpgid(child): %s", strerror(errno));
    expect_eq(tcsetpgrp(0, child), 0);
    expect_eq(tcgetpgrp(0), child);
    return child;
}

static int wait_for(pid_t child)
{
    int status;
    if (waitpid(child, &status, 0) != child)
        fail("waitpid(%d): %s", child, strerror(errno));
    expect_eq(tcsetpgrp(0, getpgrp()), 0);     /* the terminal comes back */
    return status;
}

/* Blocks reading the terminal: Ctrl-C must end it. */
static void reads_until_killed(void)
{
    signal(SIGINT, SIG_DFL);
    char c;
    read(0, &c, 1);
    _exit(3);   /* not reached: SIGINT's default action */
}

/* Ignores SIGINT (from its parent, so before the key can come): Ctrl-C
 * only throws away what was typed before it. */
static void reads_a_line(void)
{
    char buf[32];
    ssize_t n = read(0, buf, sizeof buf);
    _exit(n == 5 && memcmp(buf, "line\n", 5) == 0 ? 0 : 4);
}

static void sleeps(void)
{
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "exec-child") == 0) {
        /* Tells the parent it has exec'd, then waits to be released
         * (fds 4 and 5: the pipes' ends the parent left it). */
        write(4, "x", 1);
        char c;
        read(5, &c, 1);
        _exit(0);
    }
    start_watchdog(30);
    pid_t self = getpid();
    /* The terminal's side gives no signal to us: tcsetpgrp from a background group. */
    signal(SIGTTOU, SIG_IGN);

    expect_eq(getsid(0), self);
    expect_eq(getpgrp(), self);
    expect_eq(getpgid(0), self);
    expect_eq(tcgetpgrp(0), self);
    pid_t sid;
    expect_eq(ioctl(0, TIOCGSID, &sid), 0);
    expect_eq(sid, self);
    expect_eq(ioctl(0, TIOCSCTTY, 0), 0);          /* already ours: nothing to do */
    errno = 0;
    expect_eq(setsid(), -1);                        /* a group leader cannot start a session */
    expect_eq(errno, EPERM);
    expect_eq(setpgid(0, 0), -1);                   /* nor can a session leader change group */
    expect_eq(errno, EPERM);
    expect_eq(getpgid(999999), -1);
    expect_eq(errno, ESRCH);
    expect_eq(setpgid(999999, 0), -1);
    expect_eq(errno, ESRCH);
    pid_t nobody = 999999;
    expect_eq(ioctl(0, TIOCSPGRP, &nobody), -1);
    expect_eq(errno, ESRCH);

    /* Ctrl-C at the default action: the foreground child dies of SIGINT; we do not. */
    pid_t child = foreground_child(reads_until_killed);
    expect_eq(getpgid(child), child);
    expect_eq(getsid(child), self);
    printf("tty_jobs: waiting for input\n");
    int status = wait_for(child);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGINT)
        fail("the foreground child ended with status 0x%x, expected SIGINT", status);

    /* Ctrl-C ignored: the line typed after it still arrives. */
    signal(SIGINT, SIG_IGN);
    child = foreground_child(reads_a_line);
    signal(SIGINT, SIG_DFL);
    printf("tty_jobs: waiting for input\n");
    status = wait_for(child);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("the child that ignores SIGINT ended with status 0x%x", status);

    /* wait4 and kill on process groups: 0 is our group, -G group G. */
    pid_t other = fork();
    if (other == 0) {
        setpgid(0, 0);
        sleeps();
        _exit(7);
    }
    setpgid(other, other);
    expect_eq(kill(0, 0), 0);
    expect_eq(kill(-other, 0), 0);
    errno = 0;
    expect_eq(waitpid(0, &status, 0), -1);          /* no child in our group */
    expect_eq(errno, ECHILD);
    expect_eq(waitpid(-other, &status, 0), other);
    expect_eq(WEXITSTATUS(status), 7);
    expect_eq(kill(-other, 0), -1);
    expect_eq(errno, ESRCH);

    /* A group whose only member has exited, not yet reaped, still exists (a
     * zombie stays in its group): it can be made the foreground, and another
     * child can join it. A shell relies on this for a pipeline whose first
     * command ends before the last one is set up. */
    int gone[2];
    expect_eq(pipe(gone), 0);
    pid_t zombie = fork();
    if (zombie == 0) {
        setpgid(0, 0);
        _exit(0);                       /* its end of the pipe closes as it exits */
    }
    setpgid(zombie, zombie);
    expect_eq(close(gone[1]), 0);
    expect_eq(read(gone[0], &status, 1), 0);   /* EOF: it has exited */
    close(gone[0]);
    expect_eq(tcsetpgrp(0, zombie), 0);
    expect_eq(tcgetpgrp(0), zombie);
    expect_eq(tcsetpgrp(0, getpgrp()), 0);
    int hold[2];
    expect_eq(pipe(hold), 0);
    pid_t joiner = fork();
    if (joiner == 0) {
        close(hold[1]);
        char x;
        read(hold[0], &x, 1);           /* until released */
        _exit(0);
    }
    close(hold[0]);
    expect_eq(setpgid(joiner, zombie), 0);
    expect_eq(getpgid(joiner), zombie);
    expect_eq(close(hold[1]), 0);
    expect_eq(waitpid(joiner, &status, 0), joiner);
    expect_eq(waitpid(zombie, &status, 0), zombie);

    /* A child that has exec'd is no longer its parent's to regroup. */
    int ready[2], release[2];
    expect_eq(pipe(ready), 0);
    expect_eq(pipe(release), 0);
    pid_t execed = fork();
    if (execed == 0) {
        if (ready[1] != 4 || release[0] != 5)
            _exit(5);
        close(ready[0]);
        close(release[1]);
        char *args[] = { argv[0], "exec-child", NULL };
        execv(argv[0], args);
        _exit(6);
    }
    char c;
    expect_eq(read(ready[0], &c, 1), 1);
    errno = 0;
    expect_eq(setpgid(execed, execed), -1);
    expect_eq(errno, EACCES);
    expect_eq(write(release[1], "x", 1), 1);
    expect_eq(waitpid(execed, &status, 0), execed);
    expect_eq(status, 0);
    printf("tty_jobs: groups, sessions and the foreground as on Linux\n");
    pass();
}
