/*
 * init - the first user process (pid 1) of stickyos.
 *
 * Runs each program named in argv[1..] (the kernel passes run=a,b,c as
 * argv = ["init", "a", "b", "c"]), or the demo list below when there is none:
 * fork, execve("/<name>") in the child, wait in the parent, then print
 *     exit <name> <status>
 * where status is the exit code or the name of the killing signal.
 * Before the first program and after each one it reaps every child that has
 * exited (orphans it adopted) until wait4 finds none: with `acct` on the
 * kernel command line, the kernel then prints its resource counts (the
 * "acct ..." line), which tools/run-guest compares with the first to find leaks.
 * Exits 0 iff every program exited 0. The host side is tools/run-guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char *const default_programs[] = { "hello", "threads", NULL };

static const char *const signal_names[] = {
    [1] = "SIGHUP",   [2] = "SIGINT",    [3] = "SIGQUIT",  [4] = "SIGILL",
    [5] = "SIGTRAP",  [6] = "SIGABRT",   [7] = "SIGBUS",   [8] = "SIGFPE",
    [9] = "SIGKILL",  [10] = "SIGUSR1",  [11] = "SIGSEGV", [12] = "SIGUSR2",
    [13] = "SIGPIPE", [14] = "SIGALRM",  [15] = "SIGTERM", [16] = "SIGSTKFLT",
    [17] = "SIGCHLD", [18] = "SIGCONT",  [19] = "SIGSTOP", [20] = "SIGTSTP",
    [21] = "SIGTTIN", [22] = "SIGTTOU",  [23] = "SIGURG",  [24] = "SIGXCPU",
    [25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
    [29] = "SIGIO",   [30] = "SIGPWR",   [31] = "SIGSYS",
};

/* Reaps every child that has already exited; returns when wait4 finds
 * nothing more to reap, which is when the kernel prints the "acct ..." line
 * (kernel/proc/LeakAccounting.cs). Orphans that are already zombies must not
 * count as leaks, and our own output must be on the console first. */
static void reap_and_account(void)
{
    fflush(stdout);
    while (wait4(-1, NULL, WNOHANG, NULL) > 0)
        ;
}

/* Runs one program; returns 1 if it exited 0. */
static int run(char *name)
{
    char path[256];
    if (snprintf(path, sizeof path, "/%s", name) >= (int)sizeof path) {
        printf("init: cannot run %s: %s\n", name, strerror(ENAMETOOLONG));
        return 0;
    }

    fflush(stdout);     /* the child must not inherit (and repeat) buffered output */
    pid_t child = fork();
    if (child < 0) {
        printf("init: cannot fork for %s: %s\n", name, strerror(errno));
        return 0;
    }
    if (child == 0) {
        extern char **environ;
        char *argv[] = { name, NULL };
        execve(path, argv, environ);
        printf("init: cannot run %s: %s\n", name, strerror(errno));
        fflush(stdout);
        _exit(127);
    }

    /* As pid 1 we also inherit orphans: reap any that finish first. */
    int status;
    for (;;) {
        pid_t pid = wait4(-1, &status, 0, NULL);
        if (pid == child)
            break;
        if (pid < 0 && errno != EINTR) {
            printf("init: wait for %s failed: %s\n", name, strerror(errno));
            return 0;
        }
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig > 0 && sig < (int)(sizeof signal_names / sizeof signal_names[0]))
            printf("exit %s %s\n", name, signal_names[sig]);
        else
            printf("exit %s SIG%d\n", name, sig);
        return 0;
    }
    printf("exit %s %d\n", name, WEXITSTATUS(status));
    return WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
    char *const *programs = argc > 1 ? argv + 1 : default_programs;
    int count = 0;
    while (programs[count] != NULL)
        count++;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("init: running %d program%s\n", count, count == 1 ? "" : "s");
    reap_and_account();     /* the baseline: after our first output, so stdio is set up */

    int ok = 1;
    for (int i = 0; i < count; i++) {
        ok &= run(programs[i]);
        reap_and_account();
    }
    fflush(stdout);
    return ok ? 0 : 1;
}
