/*
 * shells - Debian's static shells run real scripts on stickyos: bash-static,
 * zsh-static and busybox sh each run one POSIX script (functions, loops,
 * arithmetic, command substitution, pipes, redirections to /tmp, read from
 * a file, a trap on SIGUSR1 sent with kill $$, a subshell's status, a
 * background job and `wait`, a here-document, `exec` redirection of fd 3);
 * busybox runs its applets through links the script makes with ln -s (sort,
 * head, tail, wc, grep, sed, awk, tee, ls, cp, mv, find, mkdir/rmdir, touch -d
 * and stat, date, xargs, env, test/[, sleep, kill, rm); sash runs its
 * built-in commands from stdin; busybox ps, df and free read /proc (their
 * numbers vary, so their output's structure is checked: ps lists this
 * program and itself, df has /dev/shm with consistent numbers, free has its
 * Mem: and Swap: lines and no "-/+ buffers/cache" fallback, which would mean
 * /proc/meminfo lacked MemAvailable). The other outputs are what the same binaries print on Linux (this
 * program runs natively too). The guest suite packs the binaries at the
 * paths Debian installs them (metadata `shells`; tools/setup installs them).
 */
// guest: timeout=180 mem=256M shells
#define GUEST_NAME "shells"
#include "guest.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>

static char *env[] = { "PATH=/bin", "TZ=UTC", "LC_ALL=C", "HOME=/", NULL };

static const char POSIX_SCRIPT[] =
    "f() { echo \"f:$1:$#\"; return 3; }\n"
    "f a b; echo \"rc=$?\"\n"
    "i=0; while [ $i -lt 5 ]; do i=$((i+1)); done; echo \"i=$i\"\n"
    "for w in one two three; do printf '%s.' \"$w\"; done; echo\n"
    "echo \"sub=$(echo inner $(echo nested))\"\n"
    "echo piped | cat | cat\n"
    "t=/tmp/shells.$$\n"
    "echo data > $t; echo more >> $t; cat < $t\n"
    "while read line; do echo \"read:$line\"; done < $t\n"
    "trap 'echo got USR1' USR1; kill -USR1 $$; echo after-trap\n"
    "(echo sub; exit 4); echo \"subshell=$?\"\n"
    "sleep 0.1 & wait $!; echo \"wait=$?\"\n"
    "cat <<EOT\n"
    "here $((6*7))\n"
    "EOT\n"
    "exec 3>$t.3; echo via3 >&3; exec 3>&-; cat $t.3\n"
    "case abc in a*) echo case-a;; *) echo other;; esac\n"
    "echo $((1<<10)) $((17 % 5))\n"
    "rm -f $t $t.3\n"
    "echo done\n";
static const char POSIX_OUT[] =
    "f:a:2\n"
    "rc=3\n"
    "i=5\n"
    "one.two.three.\n"
    "sub=inner nested\n"
    "piped\n"
    "data\n"
    "more\n"
    "read:data\n"
    "read:more\n"
    "got USR1\n"
    "after-trap\n"
    "sub\n"
    "subshell=4\n"
    "wait=0\n"
    "here 42\n"
    "via3\n"
    "case-a\n"
    "1024 2\n"
    "done\n";
static const char BUSYBOX_SCRIPT[] =
    "d=/tmp/bb.$$; mkdir $d && mkdir $d/bin && cd $d\n"
    "for a in sort head tail wc grep sed awk tee ls cp mv ln find mkdir rmdir touch stat date xargs env sleep rm cat; do ln -s /bin/busybox bin/$a; done\n"
    "PATH=$d/bin\n"
    "printf 'b\\na\\nc\\n' > f\n"
    "sort f | head -2\n"
    "wc -l < f\n"
    "grep -c . f\n"
    "sed -n 's/a/A/p' f\n"
    "awk '{n++} END {print n}' f\n"
    "echo x | tee g > /dev/null; cat g\n"
    "ls\n"
    "cp f f2; mv f2 f3; ln -s f3 l; cat l | wc -l\n"
    "find . -name 'f*' | sort\n"
    "mkdir sub; rmdir sub\n"
    "touch -d '2001-02-03 04:05:06' t; stat -c %Y t; date -u -d @981173106 +%Y-%m-%d\n"
    "echo 1 2 3 | xargs -n1 echo | wc -l\n"
    "env -i A=b /bin/busybox env\n"
    "test -f f && [ -d . ] && echo tests-ok\n"
    "sleep 0.1; kill -0 $$ && echo alive\n"
    "tail -1 f\n"
    "cd /; rm -rf $d; echo done\n";
static const char BUSYBOX_OUT[] =
    "a\n"
    "b\n"
    "3\n"
    "3\n"
    "A\n"
    "3\n"
    "x\n"
    "bin\n"
    "f\n"
    "g\n"
    "3\n"
    "./bin/find\n"
    "./f\n"
    "./f3\n"
    "981173106\n"
    "2001-02-03\n"
    "3\n"
    "A=b\n"
    "tests-ok\n"
    "alive\n"
    "c\n"
    "done\n";
static const char SASH_INPUT[] =
    "-echo hello\n"
    "-mkdir /tmp/sashd\n"
    "-touch /tmp/sashd/f\n"
    "-mv /tmp/sashd/f /tmp/sashd/g\n"
    "-ln -s g /tmp/sashd/l\n"
    "-ls /tmp/sashd\n"
    "-rm /tmp/sashd/g /tmp/sashd/l\n"
    "-rmdir /tmp/sashd\n"
    "-echo bye\n";
static const char SASH_OUT[] =
    "hello\n"
    ".\n"
    "..\n"
    "g\n"
    "l\n"
    "bye\n";

/* Runs argv with `input` on stdin (or /dev/null) and its stdout+stderr into out; the exit status. */
static int run(char *const argv[], const char *input, char *out, size_t size)
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
        execve(argv[0], argv, env);
        printf("execve %s: %s\n", argv[0], strerror(errno));
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
    int status;
    if (waitpid(pid, &status, 0) != pid) fail("waitpid: %s", strerror(errno));
    return status;
}

static int failures;

static void check(const char *what, char *const argv[], const char *input, const char *expected)
{
    char out[8192];
    int status = run(argv, input, out, sizeof out);
    if (status == 0 && strcmp(out, expected) == 0) {
        printf("shells: %s ok\n", what);
        return;
    }
    printf("shells: %s: status %d, output:\n%s-- expected:\n%s--\n", what, status, out, expected);
    failures++;
}

/* Runs busybox `applet` and hands its output, lines split, to `judge`, which says what is wrong (or NULL). */
static void check_lines(const char *applet, const char *(*judge)(char **lines, int count))
{
    static char out[65536];
    int status = run((char *const[]){ "/bin/busybox", (char *)applet, NULL }, NULL, out, sizeof out);
    char *lines[512];
    int count = 0;
    for (char *p = out; *p && count < 512; ) {
        lines[count++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = 0;
        p = nl + 1;
    }
    const char *wrong = status != 0 ? "exit status" : judge(lines, count);
    if (!wrong) {
        printf("shells: busybox %s ok\n", applet);
        return;
    }
    printf("shells: busybox %s: %s (status %d); its %d lines:\n", applet, wrong, status, count);
    for (int i = 0; i < count && i < 40; i++) printf("| %s\n", lines[i]);
    failures++;
}

static const char *judge_ps(char **lines, int count)
{
    if (count < 2 || strcmp(lines[0], "PID   USER     COMMAND") != 0) return "no header";
    int me = 0, itself = 0;
    for (int i = 1; i < count; i++) {
        if (atoi(lines[i]) == getpid() && strstr(lines[i], "shells")) me = 1;
        if (strstr(lines[i], "/bin/busybox ps")) itself = 1;
    }
    return !me ? "no line for this program" : !itself ? "no line for ps itself" : NULL;
}

static const char *judge_df(char **lines, int count)
{
    if (count < 2 || strcmp(lines[0], "Filesystem           1K-blocks      Used Available Use% Mounted on") != 0) return "no header";
    for (int i = 1; i < count; i++) {
        char source[64], percent[8], at[256];
        unsigned long blocks, used, available;
        if (sscanf(lines[i], "%63s %lu %lu %lu %7s %255s", source, &blocks, &used, &available, percent, at) != 6) return "a line without six columns";
        if (strcmp(at, "/dev/shm") != 0) continue;
        if (blocks == 0 || used + available > blocks || percent[strlen(percent) - 1] != '%') return "/dev/shm's numbers do not add up";
        return NULL;
    }
    return "no /dev/shm";
}

static const char *judge_free(char **lines, int count)
{
    if (count != 3) return "not three lines";
    if (strcmp(lines[0], "              total        used        free      shared  buff/cache   available") != 0) return "no header";
    unsigned long total, used, free_, shared, cache, available, swap[3];
    if (sscanf(lines[1], "Mem: %lu %lu %lu %lu %lu %lu", &total, &used, &free_, &shared, &cache, &available) != 6) return "no Mem: line";
    if (total == 0 || used + free_ > total || available > total) return "Mem: numbers do not add up";
    if (sscanf(lines[2], "Swap: %lu %lu %lu", &swap[0], &swap[1], &swap[2]) != 3) return "no Swap: line";
    return NULL;
}

int main(void)
{
    start_watchdog(170);
    check("bash-static", (char *const[]){ "/bin/bash-static", "-c", (char *)POSIX_SCRIPT, NULL }, NULL, POSIX_OUT);
    check("zsh-static", (char *const[]){ "/bin/zsh-static", "-f", "-c", (char *)POSIX_SCRIPT, NULL }, NULL, POSIX_OUT);
    check("busybox sh", (char *const[]){ "/bin/busybox", "sh", "-c", (char *)POSIX_SCRIPT, NULL }, NULL, POSIX_OUT);
    check("busybox applets", (char *const[]){ "/bin/busybox", "sh", "-c", (char *)BUSYBOX_SCRIPT, NULL }, NULL, BUSYBOX_OUT);
    check("sash", (char *const[]){ "/bin/sash", NULL }, SASH_INPUT, SASH_OUT);
    check_lines("ps", judge_ps);
    check_lines("df", judge_df);
    check_lines("free", judge_free);
    if (failures) fail("%d of 8 checks went wrong", failures);
    pass();
}
