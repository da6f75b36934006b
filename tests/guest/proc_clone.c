/*
 * proc_clone - processes made the way libcs make them, through raw clone:
 * glibc's fork (CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD): the child
 * finds its tid in its own copy of the word, the parent's copy is untouched;
 * CLONE_PARENT_SETTID writes the parent's word; a child with exit signal 0 is
 * seen by wait4 only with __WALL or __WCLONE; vfork semantics
 * (CLONE_VM|CLONE_VFORK): the parent stays suspended until the child exits or
 * execs, and sees what the child wrote in their shared memory; vfork(2)
 * itself; posix_spawn and posix_spawnp of this program; clone3 where the
 * kernel has it (ENOSYS is what libcs fall back from).
 */
// guest: timeout=60
#define GUEST_NAME "proc_clone"
#include "guest.h"

#include <sched.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLONE_VM
#define CLONE_VM 0x100
#define CLONE_VFORK 0x4000
#endif
#define CLONE_PARENT_SETTID_ 0x100000
#define CLONE_CHILD_CLEARTID_ 0x200000
#define CLONE_CHILD_SETTID_ 0x1000000
#define WALL 0x40000000
#define WCLONE 0x80000000

extern char **environ;

/* Raw clone with no new stack: a fork-like child returns 0 here. */
static long raw_clone(unsigned long flags, void *ptid, void *ctid)
{
    return syscall(SYS_clone, flags, 0, ptid, ctid, 0);
}

static void glibc_fork(void)
{
    static volatile int ctid = -1, ptid = -1;
    long pid = raw_clone(CLONE_CHILD_SETTID_ | CLONE_CHILD_CLEARTID_ | CLONE_PARENT_SETTID_ | SIGCHLD,
                         (void *)&ptid, (void *)&ctid);
    if (pid < 0) fail("clone as glibc's fork: %s", strerror(errno));
    if (pid == 0) {
        /* our copy of ctid holds our tid, written before we ran */
        _exit(ctid == (int)syscall(SYS_gettid) && ctid == getpid() ? 0 : 1);
    }
    expect_eq(ptid, pid);                /* CLONE_PARENT_SETTID: in the parent's memory */
    expect_eq(ctid, -1);                 /* the child's copy, not ours */
    expect_eq(reap((pid_t)pid, "glibc-style fork child"), 0);
    expect_eq(ctid, -1);                 /* CLEARTID cleared the child's copy, not ours */
}

static void exit_signal_zero(void)
{
    long pid = raw_clone(0, NULL, NULL);   /* exit signal 0: a "clone" child */
    if (pid < 0) fail("clone with exit signal 0: %s", strerror(errno));
    if (pid == 0) _exit(7);
    int st;
    sleep_ms(50);
    expect_eq(wait4(-1, &st, WNOHANG, NULL), -1);   /* no SIGCHLD child to wait for */
    expect_eq(errno, ECHILD);
    long r;
    uint64_t t0 = now_ns();
    while ((r = wait4((pid_t)pid, &st, WNOHANG | WCLONE, NULL)) == 0 && ms_since(t0) < 5000)
        sleep_ms(5);
    expect_eq(r, pid);
    expect_true(WIFEXITED(st) && WEXITSTATUS(st) == 7);

    pid = raw_clone(0, NULL, NULL);
    if (pid == 0) _exit(8);
    expect_eq(wait4((pid_t)pid, &st, WALL, NULL), pid);   /* __WALL sees every child */
    expect_eq(WEXITSTATUS(st), 8);
}

/* CLONE_VM|CLONE_VFORK without a new stack, as vfork(2): the child writes the
 * shared memory, sleeps, exits; the parent resumes only after, and sees the write. */
static volatile int shared_mark;
static void vfork_semantics(void)
{
    shared_mark = 0;
    uint64_t t0 = now_ns();
    pid_t pid = vfork();   /* libc's: the raw call through syscall() would return into a frame the child reused */
    if (pid < 0) fail("vfork: %s", strerror(errno));
    if (pid == 0) {
        shared_mark = getpid();
        struct timespec ts = { 0, 200 * 1000 * 1000 };
        syscall(SYS_nanosleep, &ts, NULL);
        syscall(SYS_exit, 3);
    }
    uint64_t waited = ms_since(t0);
    expect_eq(shared_mark, pid);         /* one memory */
    if (waited < 190) fail("vfork returned in the parent after %llu ms, before the child exited", (unsigned long long)waited);
    expect_eq(reap((pid_t)pid, "vfork child"), 3);
}

/* vfork, then exec: the parent resumes at the exec, while the new image still runs. */
static void vfork_exec(const char *self)
{
    int p[2];
    if (pipe(p) != 0) fail("pipe");
    pid_t pid = vfork();   /* libc's: the raw call through syscall() would return into a frame the child reused */
    if (pid < 0) fail("vfork: %s", strerror(errno));
    if (pid == 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", p[0]);
        char *args[] = { (char *)self, "wait-for-byte", fd, NULL };
        syscall(SYS_execve, self, args, environ);
        syscall(SYS_exit, 127);
    }
    /* we run while the exec'd child blocks on the pipe: it needs our byte to finish */
    sleep_ms(50);
    int st;
    expect_eq(waitpid((pid_t)pid, &st, WNOHANG), 0);
    if (write(p[1], "x", 1) != 1) fail("pipe write");
    expect_eq(reap((pid_t)pid, "vfork+exec child"), 0);
    close(p[0]);
    close(p[1]);
}

static void spawn(const char *self)
{
    pid_t pid;
    char *args[] = { (char *)self, "exit-with", "5", NULL };
    int rc = posix_spawn(&pid, self, NULL, NULL, args, environ);
    if (rc != 0) fail("posix_spawn: %s", strerror(rc));
    expect_eq(reap(pid, "spawned child"), 5);
    char *missing[] = { "no-such-program", NULL };
    rc = posix_spawn(&pid, "/no-such-program", NULL, NULL, missing, environ);
    if (rc == 0) expect_eq(reap(pid, "spawn of a missing program"), 127);   /* glibc reports 127; musl the errno */
    else expect_eq(rc, ENOENT);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addclose(&fa, 0);
    rc = posix_spawn(&pid, self, &fa, NULL, (char *[]){ (char *)self, "stdin-closed", NULL }, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) fail("posix_spawn with a close action: %s", strerror(rc));
    expect_eq(reap(pid, "spawned child with stdin closed"), 0);
}

static void clone3_or_enosys(void)
{
    struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } args = { 0 };
    args.exit_signal = SIGCHLD;
    long pid = syscall(435, &args, sizeof args);
    if (pid < 0 && errno == ENOSYS) { printf("proc_clone: clone3 is ENOSYS\n"); return; }
    if (pid < 0) fail("clone3: %s", strerror(errno));
    if (pid == 0) _exit(9);
    expect_eq(reap((pid_t)pid, "clone3 child"), 9);
    expect_eq(syscall(435, &args, 8), -1);               /* smaller than the first version */
    expect_eq(errno, EINVAL);
    args.exit_signal = 0;
    args.flags = SIGCHLD;                                /* the signal belongs in exit_signal */
    expect_eq(syscall(435, &args, sizeof args), -1);
    expect_eq(errno, EINVAL);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exit-with") == 0) return atoi(argv[2]);
    if (argc == 3 && strcmp(argv[1], "wait-for-byte") == 0) {
        char c;
        return read(atoi(argv[2]), &c, 1) == 1 ? 0 : 1;
    }
    if (argc == 2 && strcmp(argv[1], "stdin-closed") == 0) {
        errno = 0;
        return fcntl(0, F_GETFD) == -1 && errno == EBADF ? 0 : 1;
    }
    start_watchdog(50);
    glibc_fork();
    exit_signal_zero();
    vfork_semantics();
    vfork_exec(argv[0]);
    spawn(argv[0]);
    clone3_or_enosys();
    pass();
}
