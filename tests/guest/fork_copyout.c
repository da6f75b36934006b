// guest: timeout=60
/*
 * fork_copyout - the kernel's own writes into user memory (copy-out) must
 * honour COW like a user write: a system call writing its result into a page
 * that is COW-shared with another process must give the caller a private
 * copy first; the other process's copy must not change.
 *
 * Copy-outs tested, each into a page still shared with a live child that
 * touches nothing, and then the other way round (the child makes the call,
 * the parent's copy must not change):
 *   clock_gettime (raw syscall, not the vDSO), read() from a pipe,
 *   wait4() status of another child, pipe2() fd array.
 */
#define GUEST_NAME "fork_copyout"
#include "guest.h"

#include <sys/mman.h>

/* Each result in its own page, so every call meets a still-shared page. */
struct out {
    struct timespec ts __attribute__((aligned(GUEST_PAGE)));
    char data[64] __attribute__((aligned(GUEST_PAGE)));
    int status __attribute__((aligned(GUEST_PAGE)));
    int fds[2] __attribute__((aligned(GUEST_PAGE)));
};
static struct out *o;

static void reset(void)
{
    memset(o, 0x5e, sizeof *o);
}

static int unchanged(void)
{
    const unsigned char *b = (const unsigned char *)o;
    for (size_t i = 0; i < sizeof *o; i++)
        if (b[i] != 0x5e)
            return 0;
    return 1;
}

/* The copy-outs; returns a description of the first failure or NULL. */
static const char *do_copyouts(void)
{
    if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &o->ts) != 0)
        return "clock_gettime failed";
    if (o->ts.tv_sec == (time_t)0x5e5e5e5e5e5e5e5eull)
        return "clock_gettime did not write";
    int p[2];
    if (pipe(p) != 0)
        return "pipe failed";
    if (write(p[1], "copyout!", 8) != 8)
        return "write failed";
    if (syscall(SYS_read, p[0], o->data, 8) != 8 || memcmp(o->data, "copyout!", 8) != 0)
        return "read into the page failed";
    close(p[0]);
    close(p[1]);
    pid_t k = fork();
    if (k < 0)
        return "fork failed";
    if (k == 0)
        _exit(7);
    if (syscall(SYS_wait4, k, &o->status, 0, NULL) != k)
        return "wait4 failed";
    if (!WIFEXITED(o->status) || WEXITSTATUS(o->status) != 7)
        return "wait4 status wrong";
    if (syscall(SYS_pipe2, o->fds, 0) != 0)
        return "pipe2 failed";
    if (o->fds[0] < 0 || o->fds[1] < 0 || o->fds[0] == o->fds[1])
        return "pipe2 fds wrong";
    close(o->fds[0]);
    close(o->fds[1]);
    return NULL;
}

int main(void)
{
    start_watchdog(50);
    o = mmap(NULL, sizeof *o, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (o == MAP_FAILED)
        fail("mmap: %s", strerror(errno));

    /* 1: the parent's syscalls write the shared page; the child's copy must not change. */
    reset();
    struct held_child c;
    if (held_fork(&c) == 0) {
        child_wait_release(&c);
        _exit(unchanged() ? 0 : 2);
    }
    const char *err = do_copyouts();
    if (err)
        fail("parent copy-outs: %s", err);
    int code = held_finish(&c, "copyout 1");
    if (code == 2)
        fail("the parent's system calls wrote into the child's copy of a COW page");
    if (code != 0)
        fail("child 1 exit %d", code);
    printf("%s: parent's copy-outs stayed private\n", GUEST_NAME);

    /* 2: the child's syscalls write; the parent's copy must not change. */
    reset();
    if (held_fork(&c) == 0) {
        child_wait_release(&c);
        const char *e = do_copyouts();
        if (e) {
            child_say("%s", e);
            _exit(3);
        }
        child_signal(&c);
        child_wait_release(&c);
        _exit(0);
    }
    parent_release(&c);
    parent_wait_ready(&c, "copyout 2");
    if (!unchanged())
        fail("the child's system calls wrote into the parent's copy of a COW page");
    code = held_finish(&c, "copyout 2");
    if (code != 0)
        fail("child 2 exit %d", code);
    printf("%s: child's copy-outs stayed private\n", GUEST_NAME);
    pass();
}
