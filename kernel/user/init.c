/*
 * init - the first user process (pid 1) of stickyos.
 *
 * Runs the command lines named by its arguments, in order, or the demo list
 * below when there are none: hello and threads, then, if the initramfs has
 * /bin/sh (busybox), an interactive shell on the terminal (`make run`). An
 * argument is either
 *     NAME               run /NAME with argv {NAME}
 *     --argc=N NAME ...  the N words from NAME on are one command line:
 *                        "--argc=3 echo_args a b" runs /echo_args with argv
 *                        {echo_args, a, b}
 * A NAME may be a path below the root ("bin/sh"): argv[0] and the report
 * then say its last component ("sh").
 * The kernel gives init these from `run=a,b` on its command line and from the
 * initramfs file /init.args (tools/run-guest writes it); init's environment
 * (/init.env, PATH, TERM) is every program's. For each: fork, execve in the
 * child, wait in the parent, then report
 *     exit <name> <status>
 * where status is the exit code or the name of the killing signal.
 * Each program leads a session of its own with the terminal as its
 * controlling terminal, its process group in the foreground: Ctrl-C reaches
 * it (and its children), never init, and a shell gets the job control it
 * expects. Init itself leads session 1 without a terminal.
 * Before the first program and after each one it reaps every child that has
 * exited (orphans it adopted) until wait4 finds none: with `acct` on the
 * kernel command line, the kernel then prints its resource counts (the
 * "acct ..." line), which tools/run-guest compares with the first to find leaks.
 *
 * COLUMNS and LINES in the environment (run-guest passes its terminal's)
 * set the console's window size, as a getty would.
 * The report goes to fd 3, the kernel's console, when the kernel opened it
 * (else to stdout): with `console=ttyS1` that is another serial port than the
 * terminal the programs use, so their output can be captured alone.
 * Exits 0 iff every program exited 0. The host side is tools/run-guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT_FD 3
#define ARGC_PREFIX "--argc="

static char *default_programs[] = { "hello", "threads", "bin/sh", NULL };
#define DEFAULT_SHELL "/bin/sh"

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

static int report_fd = 1;

/* One line of init's report, written whole with one write(2). */
__attribute__((format(printf, 1, 2)))
static void report(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    for (int done = 0; done < n;) {
        ssize_t w = write(report_fd, line + done, (size_t)(n - done));
        if (w <= 0 && errno != EINTR)
            return;
        if (w > 0)
            done += (int)w;
    }
}

/* Reaps every child that has already exited; returns when wait4 finds
 * nothing more to reap, which is when the kernel prints the "acct ..." line
 * on its console (kernel/proc/LeakAccounting.cs). Orphans that are already
 * zombies must not count as leaks; init's own report lines are written whole
 * before it, so they stay in order. */
static void reap_and_account(void)
{
    while (wait4(-1, NULL, WNOHANG, NULL) > 0)
        ;
}

/* Runs one command line (argv[0] names the program, below the root);
 * returns 1 if it exited 0. */
static int run(char **argv)
{
    char path[256];
    if (snprintf(path, sizeof path, "/%s", argv[0]) >= (int)sizeof path) {
        report("init: cannot run %s: %s", argv[0], strerror(ENAMETOOLONG));
        return 0;
    }
    char *slash = strrchr(argv[0], '/');
    char *name = slash != NULL ? slash + 1 : argv[0];
    argv[0] = name;

    fflush(stdout);     /* the child must not inherit (and repeat) buffered output */
    pid_t child = fork();
    if (child < 0) {
        report("init: cannot fork for %s: %s", name, strerror(errno));
        return 0;
    }
    if (child == 0) {
        extern char **environ;
        /* fd 3, the kernel's console, is init's alone: close-on-exec (main). */
        /* The terminal is free: the last session leader that had it has exited. */
        if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0)
            dprintf(2, "init: %s runs without a controlling terminal: %s\n", name, strerror(errno));
        execve(path, argv, environ);
        /* On the terminal, as a shell says "not found": the program's place. */
        dprintf(2, "init: cannot run %s: %s\n", name, strerror(errno));
        _exit(127);
    }

    /* As pid 1 we also inherit orphans: reap any that finish first. */
    int status;
    for (;;) {
        pid_t pid = wait4(-1, &status, 0, NULL);
        if (pid == child)
            break;
        if (pid < 0 && errno != EINTR) {
            report("init: wait for %s failed: %s", name, strerror(errno));
            return 0;
        }
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        /* The terminal echoed ^C (or ^\) and no newline: end that line, as a
         * shell does, so the report below starts one of its own. */
        if (sig == SIGINT || sig == SIGQUIT)
            write(1, "\n", 1);
        if (sig > 0 && sig < (int)(sizeof signal_names / sizeof signal_names[0]))
            report("exit %s %s", name, signal_names[sig]);
        else
            report("exit %s SIG%d", name, sig);
        return 0;
    }
    report("exit %s %d", name, WEXITSTATUS(status));
    return WEXITSTATUS(status) == 0;
}

/* The terminal's size from COLUMNS and LINES, when both are set. */
static void apply_window_size(void)
{
    const char *columns = getenv("COLUMNS"), *lines = getenv("LINES");
    if (columns == NULL || lines == NULL)
        return;
    struct winsize w = { .ws_row = (unsigned short)atoi(lines), .ws_col = (unsigned short)atoi(columns) };
    if (w.ws_row > 0 && w.ws_col > 0)
        ioctl(0, TIOCSWINSZ, &w);
}

/* The length of the command line starting at words[0] (see the top), or 0
 * if it is malformed (a count that is not a number or runs past the end). */
static int command_length(char **words, int left, int *skip)
{
    if (strncmp(words[0], ARGC_PREFIX, strlen(ARGC_PREFIX)) != 0) {
        *skip = 0;
        return 1;
    }
    char *end;
    long n = strtol(words[0] + strlen(ARGC_PREFIX), &end, 10);
    if (*end != '\0' || n < 1 || n > left - 1)
        return 0;
    *skip = 1;
    return (int)n;
}

int main(int argc, char **argv)
{
    char **words = argc > 1 ? argv + 1 : default_programs;
    int nwords = argc > 1 ? argc - 1 : access(DEFAULT_SHELL, X_OK) == 0 ? 3 : 2;

    if (write(REPORT_FD, "", 0) == 0 && fcntl(REPORT_FD, F_SETFD, FD_CLOEXEC) == 0)
        report_fd = REPORT_FD;
    setsid();
    apply_window_size();
    int count = 0;
    for (int i = 0, skip, n; i < nwords; i += skip + n, count++) {
        if ((n = command_length(words + i, nwords - i, &skip)) == 0) {
            report("init: bad argument %s (expected NAME or " ARGC_PREFIX "N NAME ARG...)", words[i]);
            return 2;
        }
    }

    /* INIT_REPEAT=K (the kernel's repeat=K, make stress): the whole list K times. */
    const char *repeat = getenv("INIT_REPEAT");
    int rounds = repeat ? atoi(repeat) : 1;
    if (rounds < 1)
        rounds = 1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    report("init: running %d program%s", count, count == 1 ? "" : "s");
    reap_and_account();     /* the baseline */

    int ok = 1;
    for (int round = 1; round <= rounds; round++) {
        if (rounds > 1)
            report("init: round %d of %d", round, rounds);
        for (int i = 0, skip, n; i < nwords; i += skip + n) {
            n = command_length(words + i, nwords - i, &skip);
            char *saved = words[i + skip + n];
            words[i + skip + n] = NULL;     /* argv ends here; argv[argc] and the list's end are NULL too */
            ok &= run(words + i + skip);
            words[i + skip + n] = saved;
            reap_and_account();
        }
    }
    return ok ? 0 : 1;
}
