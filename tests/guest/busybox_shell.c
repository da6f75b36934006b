/*
 * busybox_shell - Debian's busybox-static (a glibc static binary, not ours)
 * at /bin/busybox does real work: `ls -a /`, a shell that writes a file in
 * /tmp and cats it back, `wc` on a pipe, `sh -c` with a pipe, command
 * substitution and arithmetic, and `date` with the real time. Each command
 * runs as a child with its output captured through a pipe and compared with
 * what Linux's busybox prints (the same binary, run natively by the test runner).
 * The guest suite packs /bin/busybox and /bin/<applet> links (metadata `busybox`).
 */
// guest: timeout=120 busybox
#define GUEST_NAME "busybox_shell"
#include "guest.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>

#define BUSYBOX "/bin/busybox"

static char *env[] = { "PATH=/bin:/usr/bin", "HOME=/", "TZ=UTC", "LC_ALL=C", NULL };

/* Runs busybox with `args`, `input` (or nothing) on its stdin; its stdout+stderr into `out`. Returns the exit status. */
static int run(char *const args[], const char *input, char *out, size_t size)
{
    int o[2], i[2];
    if (pipe(o) != 0 || pipe(i) != 0) fail("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) fail("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(i[0], 0);
        dup2(o[1], 1);
        dup2(o[1], 2);
        close(i[0]); close(i[1]); close(o[0]); close(o[1]);
        execve(BUSYBOX, args, env);
        printf("execve %s: %s\n", BUSYBOX, strerror(errno));
        _exit(127);
    }
    close(i[0]);
    close(o[1]);
    if (input && write(i[1], input, strlen(input)) != (ssize_t)strlen(input)) fail("write to stdin: %s", strerror(errno));
    close(i[1]);
    size_t used = 0;
    ssize_t n;
    while (used < size - 1 && (n = read(o[0], out + used, size - 1 - used)) > 0) used += (size_t)n;
    out[used] = 0;
    close(o[0]);
    int status = reap(pid, args[1]);
    printf("busybox_shell: `%s%s%s` -> %d: %s", args[1], args[2] ? " " : "", args[2] ? args[2] : "", status, out);
    if (used == 0 || out[used - 1] != '\n') printf("\n");
    return status;
}

#define RUN(input, ...) run((char *const[]){ "busybox", __VA_ARGS__, NULL }, input, out, sizeof out)

static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == 0)) return 1;
    return 0;
}

int main(void)
{
    start_watchdog(110);
    char out[8192];

    expect_eq(RUN(NULL, "ls", "-a", "/"), 0);
    const char *root[] = { ".", "..", "bin", "dev", "tmp" };
    for (size_t k = 0; k < sizeof root / sizeof root[0]; k++)
        if (!has_line(out, root[k])) fail("`ls -a /` does not list %s", root[k]);

    char script[256];
    snprintf(script, sizeof script,
             "echo 'written by busybox sh' > /tmp/busybox_shell.%d && cat /tmp/busybox_shell.%d && rm /tmp/busybox_shell.%d",
             (int)getpid(), (int)getpid(), (int)getpid());
    expect_eq(RUN(NULL, "sh", "-c", script), 0);
    if (strcmp(out, "written by busybox sh\n") != 0) fail("cat of a file sh wrote in /tmp gave %s", out);

    expect_eq(RUN("one two three\nfour five\n", "wc"), 0);
    long lines, words, bytes;
    if (sscanf(out, "%ld %ld %ld", &lines, &words, &bytes) != 3 || lines != 2 || words != 5 || bytes != 24)
        fail("wc of 2 lines, 5 words, 24 bytes said %s", out);

    expect_eq(RUN(NULL, "sh", "-c", "echo alpha beta gamma | wc -w"), 0);
    if (atoi(out) != 3) fail("a pipe in sh -c gave %s", out);

    expect_eq(RUN(NULL, "sh", "-c", "x=$(echo 6); y=$((x * 7)); echo \"$y\""), 0);
    if (strcmp(out, "42\n") != 0) fail("command substitution and arithmetic gave %s", out);

    expect_eq(RUN(NULL, "sh", "-c", "exit 3"), 3);

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    expect_eq(RUN(NULL, "date", "+%s"), 0);
    long date = atol(out);
    if (date < 1600000000 || date < now.tv_sec - 5 || date > now.tv_sec + 5)
        fail("date +%%s said %ld, the real time is %ld", date, (long)now.tv_sec);
    expect_eq(RUN(NULL, "date", "-u"), 0);   /* the full form (printed above) parses the time zone too */
    pass();
}
