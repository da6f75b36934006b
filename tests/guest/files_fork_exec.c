/*
 * files_fork_exec - a file written in /tmp is read back across fork and exec:
 * a forked child reads what the parent wrote and appends through the shared
 * open file (one position for both); the program then execs itself with the
 * descriptors: the one without close-on-exec is still open in the new image
 * and reads the whole file, the close-on-exec one is gone (EBADF).
 */
// guest: timeout=60
#define GUEST_NAME "files_fork_exec"
#include "guest.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

static const char first[] = "written by the parent\n";
static const char second[] = "appended by the child\n";

/* The exec'd image: argv = [self, "reader", path, fd, cloexec_fd]. */
static int reader(char **argv)
{
    int fd = atoi(argv[3]), gone = atoi(argv[4]);
    char buf[128] = { 0 };
    if (fcntl(gone, F_GETFD) != -1 || errno != EBADF) {
        printf("files_fork_exec: close-on-exec fd %d survived exec\n", gone);
        return 2;
    }
    if (lseek(fd, 0, SEEK_SET) != 0 || read(fd, buf, sizeof buf - 1) != (ssize_t)(strlen(first) + strlen(second))) {
        printf("files_fork_exec: inherited fd %d: %s\n", fd, strerror(errno));
        return 3;
    }
    char want[128];
    snprintf(want, sizeof want, "%s%s", first, second);
    if (strcmp(buf, want) != 0) { printf("files_fork_exec: exec'd image read %s\n", buf); return 4; }
    /* and by name, through a new open file */
    int again = open(argv[2], O_RDONLY);
    memset(buf, 0, sizeof buf);
    if (again < 0 || read(again, buf, sizeof buf - 1) <= 0 || strcmp(buf, want) != 0) return 5;
    close(again);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "reader") == 0)
        return reader(argv);
    start_watchdog(50);
    char path[64];
    snprintf(path, sizeof path, "/tmp/files_fork_exec.%d", (int)getpid());
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0644);
    if (fd < 0) fail("open %s: %s", path, strerror(errno));
    if (write(fd, first, strlen(first)) != (ssize_t)strlen(first)) fail("write: %s", strerror(errno));

    pid_t child = fork();
    if (child < 0) fail("fork: %s", strerror(errno));
    if (child == 0) {
        char buf[64] = { 0 };
        int r = open(path, O_RDONLY);
        if (r < 0 || read(r, buf, sizeof buf) != (ssize_t)strlen(first) || strcmp(buf, first) != 0) _exit(1);
        /* the shared description's position is at the end: this write appends */
        if (write(fd, second, strlen(second)) != (ssize_t)strlen(second)) _exit(2);
        _exit(0);
    }
    expect_eq(reap(child, "child"), 0);
    expect_eq(lseek(fd, 0, SEEK_CUR), (long)(strlen(first) + strlen(second)));
    struct stat st;
    expect_eq(stat(path, &st), 0);
    expect_eq(st.st_size, (long)(strlen(first) + strlen(second)));

    int gone = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    expect_true(gone >= 10);
    pid_t execer = fork();
    if (execer < 0) fail("fork: %s", strerror(errno));
    if (execer == 0) {
        char fdarg[16], gonearg[16];
        snprintf(fdarg, sizeof fdarg, "%d", fd);
        snprintf(gonearg, sizeof gonearg, "%d", gone);
        char *args[] = { argv[0], "reader", path, fdarg, gonearg, NULL };
        execv(argv[0], args);
        printf("files_fork_exec: execv %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = reap(execer, "exec'd reader");
    if (status != 0) fail("the exec'd image could not read the file back (exit %d)", status);
    close(fd);
    close(gone);
    if (unlink(path) != 0) fail("unlink: %s", strerror(errno));
    pass();
}
