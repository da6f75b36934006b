/*
 * The guest side of `make kselftest`: init runs this program, which runs
 * each command of Linux's futex selftests (COMMANDS, generated from their
 * run.sh by tools/kselftest/run at build time) as a child with its
 * arguments, bounds each with a deadline, and prints one verdict line per
 * command and a summary. Exit status 0 iff every command exited 0.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"   /* static const char *const COMMANDS[][8] = { { "prog", "arg", ..., NULL }, ... }; */

#define DEADLINE_S 120

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    extern char **environ;
    /* As run.sh from a writable directory: futex_wait creates a file for its
     * file-backed MAP_SHARED case (the initramfs root is read-only). */
    if (chdir("/tmp") != 0)
        printf("kselftest: chdir /tmp failed; running from /\n");
    int n = sizeof COMMANDS / sizeof COMMANDS[0], passed = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        const char *const *argv = COMMANDS[i];
        char path[128], line[256];
        snprintf(path, sizeof path, "/%s", argv[0]);   /* init's directory: the initramfs root */
        int len = snprintf(line, sizeof line, "%s", argv[0]);
        for (int k = 1; argv[k] && len < (int)sizeof line; k++)
            len += snprintf(line + len, sizeof line - len, " %s", argv[k]);
        printf("kselftest: RUN  %s\n", line);
        fflush(stdout);
        double t0 = now();
        pid_t pid = fork();
        if (pid == 0) {
            execve(path, (char *const *)argv, environ);
            _exit(127);
        }
        int st = 0, timed_out = 0;
        while (waitpid(pid, &st, WNOHANG) == 0) {
            if (now() - t0 > DEADLINE_S) {
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                timed_out = 1;
                break;
            }
            struct timespec ts = { 0, 20 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        int ok = !timed_out && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        if (ok)
            passed++;
        else
            failed++;
        printf("kselftest: %s %s (%s %d, %.1f s)\n", ok ? "PASS" : "FAIL", line,
               timed_out ? "timed out after" : WIFEXITED(st) ? "exit" : "signal",
               timed_out ? DEADLINE_S : WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), now() - t0);
        fflush(stdout);
    }
    printf("kselftest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
