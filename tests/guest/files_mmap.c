/*
 * files_mmap - mmap of files. MAP_PRIVATE sees the file's bytes and keeps its
 * own writes; MAP_SHARED writes are the file's bytes (read() sees them, and a
 * write() shows through the mapping), also from a forked child and from a
 * second mapping at another address; a futex word in a MAP_SHARED file is
 * one futex for every process that maps the file, wherever (run under every
 * futex design). Errors: a directory or a pipe is ENODEV, a write-only fd
 * EACCES, MAP_SHARED|PROT_WRITE on a read-only fd EACCES, a bad fd EBADF.
 */
// guest: timeout=60 futex=all
#define GUEST_NAME "files_mmap"
#include "guest.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PAGES 3

static char path[64];

static void private_and_shared(int fd)
{
    char *priv = mmap(NULL, PAGES * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (priv == MAP_FAILED) fail("mmap private: %s", strerror(errno));
    for (int i = 0; i < PAGES * GUEST_PAGE; i++)
        if (priv[i] != (char)(i * 7)) fail("private mapping byte %d is %d", i, priv[i]);
    priv[0] = 'P';
    char c;
    expect_eq(pread(fd, &c, 1, 0), 1);
    expect_eq(c, 0);                                   /* a private write stays private */
    /* at an offset, read-only */
    char *tail = mmap(NULL, GUEST_PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * GUEST_PAGE);
    if (tail == MAP_FAILED) fail("mmap at offset: %s", strerror(errno));
    expect_eq(tail[5], (char)((2 * GUEST_PAGE + 5) * 7));
    munmap(tail, GUEST_PAGE);
    munmap(priv, PAGES * GUEST_PAGE);

    char *sh = mmap(NULL, PAGES * GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (sh == MAP_FAILED) fail("mmap shared: %s", strerror(errno));
    expect_eq(sh[GUEST_PAGE + 1], (char)((GUEST_PAGE + 1) * 7));
    memcpy(sh + GUEST_PAGE, "through the mapping", 19);
    char buf[32] = { 0 };
    expect_eq(pread(fd, buf, 19, GUEST_PAGE), 19);
    expect_true(memcmp(buf, "through the mapping", 19) == 0);
    expect_eq(pwrite(fd, "by write()", 10, 2 * GUEST_PAGE), 10);
    expect_true(memcmp(sh + 2 * GUEST_PAGE, "by write()", 10) == 0);

    /* a second mapping of the same pages elsewhere, and a forked child, see the same bytes */
    char *again = mmap(NULL, GUEST_PAGE, PROT_READ, MAP_SHARED, fd, GUEST_PAGE);
    if (again == MAP_FAILED) fail("second shared mapping: %s", strerror(errno));
    expect_true(again != sh + GUEST_PAGE);
    expect_true(memcmp(again, "through the mapping", 19) == 0);
    pid_t child = fork();
    if (child == 0) {
        memcpy(sh, "child", 5);
        _exit(0);
    }
    expect_eq(reap(child, "writer child"), 0);
    expect_true(memcmp(sh, "child", 5) == 0);
    expect_eq(pread(fd, buf, 5, 0), 5);
    expect_true(memcmp(buf, "child", 5) == 0);
    munmap(again, GUEST_PAGE);
    munmap(sh, PAGES * GUEST_PAGE);
}

/* A child maps the file on its own (another address) and wakes the parent's FUTEX_WAIT. */
static void shared_futex(int fd)
{
    volatile int *word = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (word == MAP_FAILED) fail("mmap for the futex: %s", strerror(errno));
    word[0] = 0;
    int pipefd[2];
    if (pipe(pipefd) != 0) fail("pipe");
    pid_t child = fork();
    if (child == 0) {
        munmap((void *)word, GUEST_PAGE);
        void *pad = mmap(NULL, 5 * GUEST_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int cfd = open(path, O_RDWR);
        volatile int *mine = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
        if (mine == MAP_FAILED || pad == MAP_FAILED) _exit(3);
        char go;
        if (read(pipefd[0], &go, 1) != 1) _exit(4);
        sleep_ms(100);                     /* let the parent reach FUTEX_WAIT */
        __atomic_store_n(&mine[0], 1, __ATOMIC_SEQ_CST);
        long woken = futex_wake(mine, 1, 0);
        _exit(woken == 1 ? 0 : 10 + (int)woken);
    }
    if (write(pipefd[1], "g", 1) != 1) fail("pipe write");
    long r = futex_wait_ms(word, 0, 0, 5000);
    if (r != 0 && !(r == -EAGAIN && word[0] == 1)) fail("FUTEX_WAIT on the file word: %s", errno_str(r));
    int status = reap(child, "waker");
    if (status != 0) fail("the child's FUTEX_WAKE on its own mapping of the file woke %d (exit %d)", status >= 10 ? status - 10 : -1, status);
    close(pipefd[0]);
    close(pipefd[1]);
    munmap((void *)word, GUEST_PAGE);
}

static void errors(int fd)
{
    expect_true(mmap(NULL, GUEST_PAGE, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED && errno == EBADF);
    int d = open("/tmp", O_RDONLY | O_DIRECTORY);
    expect_true(mmap(NULL, GUEST_PAGE, PROT_READ, MAP_PRIVATE, d, 0) == MAP_FAILED && errno == ENODEV);
    close(d);
    int p[2];
    if (pipe(p) != 0) fail("pipe");
    expect_true(mmap(NULL, GUEST_PAGE, PROT_READ, MAP_PRIVATE, p[0], 0) == MAP_FAILED && errno == ENODEV);
    close(p[0]);
    close(p[1]);
    int wo = open(path, O_WRONLY);
    expect_true(mmap(NULL, GUEST_PAGE, PROT_READ, MAP_SHARED, wo, 0) == MAP_FAILED && errno == EACCES);
    close(wo);
    int ro = open(path, O_RDONLY);
    expect_true(mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES);
    char *ok = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);   /* private: fine */
    expect_true(ok != MAP_FAILED);
    munmap(ok, GUEST_PAGE);
    close(ro);
    expect_true(mmap(NULL, GUEST_PAGE, PROT_READ, MAP_PRIVATE, fd, 1) == MAP_FAILED && errno == EINVAL);
    int z = open("/dev/zero", O_RDWR);
    char *zero = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
    expect_true(zero != MAP_FAILED && zero[100] == 0);
    munmap(zero, GUEST_PAGE);
    close(z);
}

int main(void)
{
    start_watchdog(50);
    snprintf(path, sizeof path, "/tmp/files_mmap.%d", (int)getpid());
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) fail("open %s: %s", path, strerror(errno));
    static char data[PAGES * GUEST_PAGE];
    for (int i = 0; i < PAGES * GUEST_PAGE; i++) data[i] = (char)(i * 7);
    if (write(fd, data, sizeof data) != (ssize_t)sizeof data) fail("write: %s", strerror(errno));
    private_and_shared(fd);
    shared_futex(fd);
    errors(fd);
    close(fd);
    if (unlink(path) != 0) fail("unlink: %s", strerror(errno));
    pass();
}
