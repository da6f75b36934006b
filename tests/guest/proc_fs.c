/*
 * proc_fs - /proc and /sys as Linux shows them, made from the kernel's state:
 * /proc/self, /proc/<pid>/{exe, cwd, cmdline, comm, stat, status, maps, fd/},
 * a child's entries while it sleeps, as a zombie (state Z) and after it is
 * reaped (ENOENT; an open file of it reads ESRCH), /proc's listing, getcwd
 * inside /proc, the machine-wide files (meminfo, uptime, loadavg, mounts via
 * getmntent, filesystems, cpuinfo, stat, version), /sys's CPU lists, and
 * Linux's errors (ENOENT for new names, EPERM for unlink and rmdir, EINVAL
 * for a write and for SEEK_END, EFAULT for a bad buffer).
 */
// guest: timeout=60
#define GUEST_NAME "proc_fs"
#include "guest.h"

#include <dirent.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#define BAD_PTR ((void *)16)

static char text[65536];

/* The whole of a /proc file into text; its length. */
static int slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        fail("open %s: %s", path, strerror(errno));
    int used = 0, n;
    while ((n = read(fd, text + used, sizeof text - 1 - used)) > 0)
        used += n;
    if (n < 0)
        fail("read %s: %s", path, strerror(errno));
    text[used] = 0;
    close(fd);
    return used;
}

static void expect_link(const char *path, const char *want)
{
    char got[4096];
    ssize_t n = readlink(path, got, sizeof got - 1);
    if (n < 0)
        fail("readlink %s: %s", path, strerror(errno));
    got[n] = 0;
    if (strcmp(got, want) != 0)
        fail("readlink %s: '%s', expected '%s'", path, got, want);
}

/* The value after "Key:" in status-like text, as a number. */
static long field(const char *key)
{
    char *at = strstr(text, key);
    if (!at)
        fail("no %s in:\n%s", key, text);
    return strtol(at + strlen(key), NULL, 10);
}

/* stat's fields after the ") ": returns field `n` (1-based as proc(5) counts; n >= 3). */
static long stat_field(int n, char *state)
{
    char *close = strrchr(text, ')');
    if (!close)
        fail("no ')' in stat: %s", text);
    char *p = close + 2;
    if (state)
        *state = *p;
    for (int i = 3; i < n; i++) {
        p = strchr(p, ' ');
        if (!p)
            fail("stat has fewer than %d fields: %s", n, text);
        p++;
    }
    return strtol(p, NULL, 10);
}

static int count_fields(void)
{
    int fields = 2;
    for (char *p = strrchr(text, ')') + 1; *p && *p != '\n'; p++)
        if (*p == ' ')
            fields++;
    return fields;
}

static void test_self(char **argv)
{
    char want[64];
    snprintf(want, sizeof want, "%d", (int)getpid());
    expect_link("/proc/self", want);

    /* exe: an absolute path to this very file. */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    expect_true(n > 0);
    exe[n] = 0;
    expect_true(exe[0] == '/');
    struct stat a, b;
    expect_eq(stat(exe, &a), 0);
    expect_eq(stat(argv[0], &b), 0);
    expect_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);

    /* cmdline: argv with a NUL after each. */
    int len = slurp("/proc/self/cmdline");
    expect_eq(len, (int)strlen(argv[0]) + 1);
    expect_eq(strcmp(text, argv[0]), 0);

    slurp("/proc/self/comm");
    expect_eq(strcmp(text, "proc_fs\n"), 0);

    /* stat: 52 fields; pid, comm, state, ppid, pgrp, session, threads. */
    slurp("/proc/self/stat");
    expect_eq(count_fields(), 52);
    expect_eq(atoi(text), getpid());
    expect_true(strncmp(strchr(text, '('), "(proc_fs) ", 10) == 0);
    char state;
    expect_eq(stat_field(4, &state), getppid());
    expect_eq(state, 'R');
    expect_eq(stat_field(5, NULL), getpgrp());
    expect_eq(stat_field(6, NULL), getsid(0));
    expect_eq(stat_field(20, NULL), 2);   /* this thread and the watchdog's */

    /* status: name, pids, ids, threads. */
    slurp("/proc/self/status");
    expect_true(strncmp(text, "Name:\tproc_fs\n", 14) == 0);
    expect_eq(field("\nPid:"), getpid());
    expect_eq(field("\nPPid:"), getppid());
    expect_eq(field("\nUid:"), getuid());
    expect_eq(field("\nThreads:"), 2);
    expect_true(strstr(text, "\nState:\tR (running)\n") != NULL);

    /* st_uid of the process's entries is its effective uid; the modes are Linux's. */
    struct stat st;
    expect_eq(stat("/proc/self", &st), 0);
    expect_true(S_ISDIR(st.st_mode));
    expect_eq(st.st_mode & 07777, 0555);
    expect_eq(st.st_uid, geteuid());
    expect_eq(lstat("/proc/self", &st), 0);
    expect_true(S_ISLNK(st.st_mode));
    expect_eq(stat("/proc/self/status", &st), 0);
    expect_true(S_ISREG(st.st_mode));
    expect_eq(st.st_mode & 07777, 0444);
    expect_eq(st.st_size, 0);
    expect_eq(stat("/proc/self/fd", &st), 0);
    expect_eq(st.st_mode & 07777, 0500);
    printf("proc_fs: self ok\n");
}

static void *sleeper(void *arg)
{
    (void)arg;
    sleep_ms(2000);
    return NULL;
}

static void test_threads_and_maps(void)
{
    pthread_t t;
    expect_eq(pthread_create(&t, NULL, sleeper, NULL), 0);
    slurp("/proc/self/stat");
    expect_eq(stat_field(20, NULL), 3);
    slurp("/proc/self/status");
    expect_eq(field("\nThreads:"), 3);
    expect_eq(pthread_kill(t, 0), 0);

    /* maps: this function's code (r-xp, named after the executable), a
     * stack variable ([stack]), and a fresh read-only mapping (r--p). */
    char *ro = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect_true(ro != MAP_FAILED);
    int local = 0;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n] = 0;
    slurp("/proc/self/maps");
    int found = 0;
    for (char *line = text; *line; line = strchr(line, '\n') + 1) {
        unsigned long lo, hi;
        char perms[5], name[4096] = "";
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %4095s", &lo, &hi, perms, name) < 3)
            fail("maps line: %.80s", line);
        unsigned long code = (unsigned long)&test_threads_and_maps, stack = (unsigned long)&local, mine = (unsigned long)ro;
        if (code >= lo && code < hi) {
            if (strcmp(perms, "r-xp") != 0 || strcmp(name, exe) != 0)
                fail("code at %#lx: '%s' '%s'", code, perms, name);
            found |= 1;
        }
        if (stack >= lo && stack < hi) {
            if (strcmp(perms, "rw-p") != 0 || strcmp(name, "[stack]") != 0)
                fail("stack at %#lx: '%s' '%s'", stack, perms, name);
            found |= 2;
        }
        if (mine >= lo && mine + 3 * 4096 <= hi) {
            if (strcmp(perms, "r--p") != 0)
                fail("a read-only mapping: '%s'", perms);
            found |= 4;
        }
        if (!strchr(line, '\n'))
            break;
    }
    if (found != 7)
        fail("maps lacks code, stack or the mapping (%d):\n%s", found, text);
    munmap(ro, 3 * 4096);
    expect_eq(pthread_join(t, NULL), 0);
    printf("proc_fs: threads and maps ok\n");
}

static void test_fds(void)
{
    char path[64], link[64], want[128];
    snprintf(path, sizeof path, "/tmp/proc_fs.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    expect_ne(fd, -1);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    expect_link(link, path);
    struct stat st;
    expect_eq(stat(link, &st), 0);   /* follows to the file */
    struct stat fst;
    expect_eq(fstat(fd, &fst), 0);
    expect_true(st.st_ino == fst.st_ino && st.st_dev == fst.st_dev);

    int p[2];
    expect_eq(pipe(p), 0);
    expect_eq(fstat(p[0], &st), 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", p[1]);
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
    expect_link(link, want);
    int s[2];
    expect_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0);
    expect_eq(fstat(s[0], &st), 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", s[0]);
    snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
    expect_link(link, want);
    int e = eventfd(0, 0);
    snprintf(link, sizeof link, "/proc/self/fd/%d", e);
    expect_link(link, "anon_inode:[eventfd]");

    /* The listing has each of them. */
    DIR *d = opendir("/proc/self/fd");
    expect_true(d != NULL);
    int seen = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        int n = atoi(de->d_name);
        if (de->d_name[0] == '.')
            continue;
        if (de->d_type != DT_LNK)
            fail("fd entry %s has type %d", de->d_name, de->d_type);
        if (n == fd) seen |= 1;
        if (n == p[0]) seen |= 2;
        if (n == s[1]) seen |= 4;
        if (n == e) seen |= 8;
        if (n == dirfd(d)) seen |= 16;
    }
    /* The directory being listed is one of them too. */
    snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd(d));
    snprintf(want, sizeof want, "/proc/%d/fd", (int)getpid());
    expect_link(link, want);
    closedir(d);
    expect_eq(seen, 31);

    close(fd);
    unlink(path);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    char buf[64];
    expect_eq(readlink(link, buf, sizeof buf), -1);
    expect_eq(errno, ENOENT);
    close(p[0]); close(p[1]); close(s[0]); close(s[1]); close(e);
    printf("proc_fs: fds ok\n");
}

static void test_child(void)
{
    int go[2];
    expect_eq(pipe(go), 0);
    pid_t child = fork();
    expect_ne(child, -1);
    if (child == 0) {
        char c;
        close(go[1]);
        (void)read(go[0], &c, 1);   /* sleeps until the parent closes its end */
        _exit(3);
    }
    close(go[0]);
    char path[64];
    sleep_ms(100);
    snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
    slurp(path);
    char state;
    expect_eq(stat_field(4, &state), getpid());
    expect_eq(state, 'S');
    expect_true(strstr(text, "(proc_fs)") != NULL);
    int keep = open(path, O_RDONLY);
    expect_ne(keep, -1);

    /* /proc lists self, this process and the child. */
    DIR *d = opendir("/proc");
    expect_true(d != NULL);
    int seen = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, "self") == 0) seen |= 1;
        if (atoi(de->d_name) == getpid() && de->d_type == DT_DIR) seen |= 2;
        if (atoi(de->d_name) == child && de->d_type == DT_DIR) seen |= 4;
    }
    closedir(d);
    expect_eq(seen, 7);

    /* Exited, not reaped: a zombie. */
    close(go[1]);
    for (int i = 0; i < 200; i++) {
        slurp(path);
        stat_field(3, &state);
        if (state == 'Z')
            break;
        sleep_ms(10);
    }
    expect_eq(state, 'Z');
    int status;
    expect_eq(waitpid(child, &status, 0), child);
    expect_eq(WEXITSTATUS(status), 3);

    /* Reaped: gone; a file opened before reads ESRCH. */
    struct stat st;
    expect_eq(stat(path, &st), -1);
    expect_eq(errno, ENOENT);
    char buf[64];
    expect_eq(pread(keep, buf, sizeof buf, 0), -1);
    expect_eq(errno, ESRCH);
    close(keep);
    expect_eq(open("/proc/999999/stat", O_RDONLY), -1);
    expect_eq(errno, ENOENT);
    printf("proc_fs: a child's life ok\n");
}

static void test_cwd(void)
{
    char cwd[256], want[64];
    expect_eq(chdir("/proc/self"), 0);
    snprintf(want, sizeof want, "/proc/%d", (int)getpid());
    expect_true(getcwd(cwd, sizeof cwd) != NULL);
    expect_eq(strcmp(cwd, want), 0);
    expect_link("cwd", want);
    expect_eq(chdir("fd"), 0);
    expect_true(getcwd(cwd, sizeof cwd) != NULL);
    strcat(want, "/fd");
    expect_eq(strcmp(cwd, want), 0);
    expect_eq(chdir("../.."), 0);
    expect_true(getcwd(cwd, sizeof cwd) != NULL);
    expect_eq(strcmp(cwd, "/proc"), 0);
    expect_eq(chdir("/"), 0);
    printf("proc_fs: cwd ok\n");
}

static void test_machine(void)
{
    slurp("/proc/meminfo");
    long total = field("MemTotal:"), free_kb = field("MemFree:");
    expect_true(total > 0 && free_kb > 0 && free_kb <= total);
    expect_true(strstr(text, "MemAvailable:") != NULL);
    expect_true(strstr(text, "kB\nMemFree:") != NULL);

    struct sysinfo si;
    expect_eq(sysinfo(&si), 0);
    slurp("/proc/uptime");
    double up, idle;
    expect_eq(sscanf(text, "%lf %lf", &up, &idle), 2);
    expect_true(up >= (double)si.uptime - 2 && up <= (double)si.uptime + 2);

    slurp("/proc/loadavg");
    double l1, l5, l15;
    int running, all, last;
    expect_eq(sscanf(text, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &all, &last), 6);
    expect_true(running >= 1 && all >= running && last >= getpid());

    /* getmntent over /proc/mounts: /proc itself is there. */
    FILE *m = setmntent("/proc/mounts", "r");
    expect_true(m != NULL);
    int proc = 0;
    struct mntent *e;
    while ((e = getmntent(m)))
        if (strcmp(e->mnt_dir, "/proc") == 0 && strcmp(e->mnt_type, "proc") == 0)
            proc = 1;
    endmntent(m);
    expect_true(proc);

    slurp("/proc/filesystems");
    expect_true(strstr(text, "nodev\tproc\n") != NULL);
    expect_true(strstr(text, "nodev\ttmpfs\n") != NULL);
    slurp("/proc/cpuinfo");
    expect_true(strncmp(text, "processor\t: 0\n", 14) == 0);
    expect_true(strstr(text, "\nflags\t\t:") != NULL);
    long processors = 0;
    for (const char *at = text; (at = strstr(at, "processor\t: ")) != NULL; at++)
        processors++;
    expect_eq(processors, sysconf(_SC_NPROCESSORS_ONLN));   /* a block per CPU that is up */
    slurp("/proc/stat");
    expect_true(strncmp(text, "cpu ", 4) == 0);
    expect_true(strstr(text, "\nbtime ") != NULL);
    slurp("/proc/version");
    expect_true(strncmp(text, "Linux version ", 14) == 0);
    slurp("/sys/devices/system/cpu/online");
    expect_true(text[0] == '0' && text[strlen(text) - 1] == '\n');
    expect_true(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
    printf("proc_fs: machine files ok\n");
}

static void test_errors(void)
{
    expect_eq(mkdir("/proc/self/x", 0755), -1);
    expect_eq(errno, ENOENT);
    expect_eq(open("/proc/self/new", O_WRONLY | O_CREAT, 0644), -1);
    expect_eq(errno, ENOENT);
    expect_eq(unlink("/proc/self/status"), -1);
    expect_eq(errno, EPERM);
    expect_eq(rmdir("/proc/self/fd"), -1);
    expect_eq(errno, EPERM);
    int fd = open("/proc/self/status", O_WRONLY);
    expect_ne(fd, -1);
    expect_eq(write(fd, "x", 1), -1);
    expect_eq(errno, EINVAL);
    close(fd);
    fd = open("/proc/self/status", O_RDONLY);
    expect_eq(read(fd, BAD_PTR, 64), -1);
    expect_eq(errno, EFAULT);
    expect_eq(lseek(fd, 0, SEEK_END), -1);
    expect_eq(errno, EINVAL);
    /* A read from 0 again makes the text anew; reading on continues it. */
    char a[8], b[8];
    expect_eq(pread(fd, a, 6, 0), 6);
    expect_eq(lseek(fd, 2, SEEK_SET), 2);
    expect_eq(read(fd, b, 4), 4);
    expect_eq(memcmp(a + 2, b, 4), 0);
    close(fd);
    printf("proc_fs: errors ok\n");
}

int main(int argc, char **argv)
{
    (void)argc;
    start_watchdog(50);
    test_self(argv);
    test_threads_and_maps();
    test_fds();
    test_child();
    test_cwd();
    test_machine();
    test_errors();
    pass();
}
