/*
 * proc_race - /proc/<pid> read while its process changes on other CPUs: one
 * child maps and unmaps memory without pause while its maps, status, stat
 * and cmdline are read; short-lived children exit (and exec) while theirs
 * and their fd/ are read. Every read succeeds with well-formed text or fails
 * with ESRCH/ENOENT (the process has gone), as on Linux; nothing is freed
 * under a reader (the kernel holds the space while it reads it), and the
 * leak accounting after the program shows nothing held.
 */
// guest: timeout=120
#define GUEST_NAME "proc_race"
#include "guest.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

static char text[65536];

/* The file's text, its length; -1 (errno ESRCH or ENOENT) if its process went. */
static long slurp(int pid, const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        if (errno != ENOENT && errno != ESRCH)
            fail("open %s: %s", path, strerror(errno));
        return -1;
    }
    long got = 0;
    for (;;) {
        ssize_t n = read(fd, text + got, sizeof text - 1 - (size_t)got);
        if (n < 0) {
            if (errno != ESRCH)
                fail("read %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        got += n;
    }
    text[got] = 0;
    close(fd);
    return got;
}

static void check_maps(long n)
{
    /* Each line: start-end perms ... */
    for (char *line = text; n > 0 && *line; ) {
        char *end = strchr(line, '\n');
        if (end == NULL)
            fail("maps line without newline: %.60s", line);
        unsigned long a, b;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &a, &b, perms) != 3 || a >= b)
            fail("maps line: %.60s", line);
        line = end + 1;
    }
}

static void mapper(void)
{
    uint64_t t0 = now_ns();
    while (ms_since(t0) < 3000) {
        for (int size = 1; size <= 64; size *= 2) {
            char *p = mmap(NULL, (size_t)size * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                _exit(2);
            p[0] = 1;
            p[(size_t)size * 4096 - 1] = 2;
            if (munmap(p, (size_t)size * 4096) != 0)
                _exit(3);
        }
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exit-at-once") == 0)
        _exit(0);
    start_watchdog(110);
    pid_t m = fork();
    expect_ne(m, -1);
    if (m == 0)
        mapper();
    long reads = 0;
    uint64_t t0 = now_ns();
    while (ms_since(t0) < 2500) {
        long n = slurp(m, "maps");
        if (n > 0) {
            check_maps(n);
            reads++;
        }
        if (slurp(m, "status") > 0 && strncmp(text, "Name:\t", 6) != 0)
            fail("status: %.40s", text);
        if (slurp(m, "stat") > 0 && atoi(text) != m)
            fail("stat: %.40s", text);
        slurp(m, "cmdline");
    }
    int status;
    expect_eq(waitpid(m, &status, 0), m);
    expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    printf("proc_race: %ld reads of maps while the child mapped and unmapped\n", reads);

    /* Children that exit (some through exec) while their files are read. */
    long gone = 0;
    for (int i = 0; i < 200; i++) {
        pid_t c = fork();
        expect_ne(c, -1);
        if (c == 0) {
            if (i % 2)
                execl("/proc/self/exe", argv[0], "exit-at-once", (char *)NULL);
            _exit(0);
        }
        const char *names[] = { "maps", "cmdline", "status", "stat", "comm" };
        for (int k = 0; k < 5; k++) {
            long n = slurp(c, names[k]);
            if (n < 0)
                gone++;
            else if (k == 0)
                check_maps(n);
        }
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/fd", c);
        DIR *d = opendir(path);
        if (d != NULL) {
            while (readdir(d) != NULL)
                ;
            closedir(d);
        }
        char link[256];
        snprintf(path, sizeof path, "/proc/%d/exe", c);
        (void)readlink(path, link, sizeof link);
        expect_eq(waitpid(c, &status, 0), c);
        expect_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    printf("proc_race: 200 children read as they exited (%ld reads found them gone)\n", gone);
    pass();
}
