// guest: futex=all timeout=60
/*
 * futex_shm - System V shared memory, and futexes in it between processes:
 * shmget (IPC_PRIVATE and keyed: ENOENT without IPC_CREAT, EEXIST with
 * IPC_EXCL, EINVAL for a size past the segment), shmat anywhere and at a
 * second address in the same process (both see one memory), IPC_STAT's
 * size and shm_nattch (attachments counted across fork), shmdt (EINVAL off
 * an attachment), IPC_RMID keeping the memory until the last detach. A
 * child attaches the segment itself at another address and FUTEX_WAITs on
 * a word there; the parent's FUTEX_WAKE through its own attachment wakes
 * it, and the other way round; a PI lock in the segment passes between the
 * processes. Every segment is removed: the runner's accounting sees no leak.
 */
#define GUEST_NAME "futex_shm"
#include "guest.h"

#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7

/* A handshake that needs a wake to reach the waiter: the waker wakes while the
 * word is still 0 (so the waiter cannot have returned without sleeping),
 * retrying until its wake finds the waiter, and only then sets the word. */
static int wait_until_woken(volatile int *w, int flags)
{
    /* 0 if woken, else an errno */
    while (*w == 0) {
        long r = futex_wait_ms(w, 0, flags, 3000);
        if (r == 0)
            return 0;
        if (r == -ETIMEDOUT)
            return ETIMEDOUT;
        if (r != -EAGAIN && r != -EINTR)
            return (int)-r;
    }
    return 0;
}

static long wake_until(volatile int *w, int flags)
{
    for (int i = 0; i < 300; i++) {
        long n = futex_wake(w, 1, flags);
        if (n != 0) {
            *w = 1;
            return n;
        }
        sleep_ms(10);
    }
    *w = 1;
    return 0;
}

int main(void)
{
    start_watchdog(50);
    key_t key = 0x5717c0 + getpid();
    errno = 0;
    expect_eq(shmget(key, 4096, 0600), -1);
    expect_eq(errno, ENOENT);
    int id = shmget(key, 3 * 4096, IPC_CREAT | 0600);
    expect_true(id >= 0);
    expect_eq(shmget(key, 4096, 0600), id);
    expect_eq(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600), -1);
    expect_eq(errno, EEXIST);
    expect_eq(shmget(key, 4 * 4096, 0600), -1);
    expect_eq(errno, EINVAL);
    expect_eq(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600), -1);
    expect_eq(errno, EINVAL);

    volatile int *a = shmat(id, NULL, 0);
    volatile int *b = shmat(id, NULL, 0);
    expect_true(a != (void *)-1 && b != (void *)-1 && a != b);
    a[100] = 42;
    expect_eq(b[100], 42);
    struct shmid_ds ds;
    expect_eq(shmctl(id, IPC_STAT, &ds), 0);
    expect_eq(ds.shm_segsz, 3 * 4096);
    expect_eq(ds.shm_nattch, 2);
    expect_eq(shmdt((void *)(a + 1)), -1);
    expect_eq(errno, EINVAL);
    expect_eq(shmdt((void *)b), 0);
    expect_eq(shmctl(id, IPC_STAT, &ds), 0);
    expect_eq(ds.shm_nattch, 1);
    printf("%s: shmget/shmat/shmdt/IPC_STAT rules\n", GUEST_NAME);

    for (int i = 0; i < 2; i++) {
        int flags = 0;   /* PRIVATE futexes do not cross processes on Linux */
        volatile int *w1 = &a[1024 * (i + 1)];          /* on page i+1 */
        volatile int *w2 = w1 + 16;
        *w1 = *w2 = 0;
        pid_t pid = fork();
        if (pid == 0) {
            /* Its own attachment, at another address than the inherited one. */
            volatile int *c = shmat(id, NULL, 0);
            if (c == (void *)-1 || c == a)
                _exit(2);
            volatile int *cw1 = (volatile int *)((char *)c + ((char *)w1 - (char *)a));
            volatile int *cw2 = cw1 + 16;
            int r = wait_until_woken(cw1, flags);
            if (r != 0)
                _exit(10 + r % 100);
            if (wake_until(cw2, flags) != 1)
                _exit(3);
            shmdt((void *)c);
            _exit(0);
        }
        sleep_ms(100);
        expect_eq(shmctl(id, IPC_STAT, &ds), 0);
        expect_eq(ds.shm_nattch, 3);   /* ours, the child's inherited one and its own */
        expect_eq(wake_until(w1, flags), 1);
        expect_eq(wait_until_woken(w2, flags), 0);
        expect_eq(reap(pid, "shm futex child"), 0);
    }
    printf("%s: futexes between processes attached at different addresses, both directions\n", GUEST_NAME);

    /* A PI lock in the segment: the child holds it, the parent waits, the child's unlock hands it over. */
    volatile unsigned *pi = (volatile unsigned *)&a[2000];
    *pi = 0;
    int ready[2];
    if (pipe(ready) != 0)
        fail("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        if (futex_raw(pi, FUTEX_LOCK_PI, 0, 0, NULL, 0) != 0)
            _exit(2);
        if (write(ready[1], "r", 1) != 1)
            _exit(3);
        while (!(*pi & 0x80000000u))
            sleep_ms(5);   /* the parent is queued: WAITERS is set */
        sleep_ms(50);
        _exit(futex_raw(pi, FUTEX_UNLOCK_PI, 0, 0, NULL, 0) == 0 ? 0 : 4);
    }
    char c;
    if (read(ready[0], &c, 1) != 1)
        fail("child died");
    expect_eq(futex_raw(pi, FUTEX_LOCK_PI, 0, 0, NULL, 0), 0);
    expect_eq(*pi & 0x3fffffffu, (unsigned)syscall(SYS_gettid));
    expect_eq(futex_raw(pi, FUTEX_UNLOCK_PI, 0, 0, NULL, 0), 0);
    expect_eq(reap(pid, "PI child"), 0);
    printf("%s: a PI lock in the segment handed from a child to its parent\n", GUEST_NAME);

    /* IPC_RMID with an attachment: marked SHM_DEST, gone with the last detach. */
    expect_eq(shmctl(id, IPC_RMID, NULL), 0);
    expect_eq(a[100], 42);
    a[101] = 7;
    expect_eq(shmctl(id, IPC_STAT, &ds), 0);
    expect_true(ds.shm_perm.mode & SHM_DEST);
    expect_eq(ds.shm_nattch, 1);
    expect_eq(shmget(key, 4096, 0600), -1);   /* the key is free again */
    expect_eq(errno, ENOENT);
    expect_eq(shmdt((void *)a), 0);
    expect_eq(shmctl(id, IPC_STAT, &ds), -1);
    expect_eq(errno, EINVAL);
    /* Removed while a child is attached: gone when the child exits. */
    int id3 = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    expect_true(id3 >= 0);
    pid = fork();
    if (pid == 0) {
        volatile int *x = shmat(id3, NULL, 0);
        if (x == (void *)-1)
            _exit(2);
        x[0] = 1;
        sleep_ms(300);
        _exit(0);   /* without shmdt */
    }
    sleep_ms(100);
    expect_eq(shmctl(id3, IPC_RMID, NULL), 0);
    expect_eq(reap(pid, "attached child"), 0);
    expect_eq(shmctl(id3, IPC_STAT, &ds), -1);
    int p2 = shmget(IPC_PRIVATE, 100, IPC_CREAT | 0600);
    expect_true(p2 >= 0 && p2 != id);
    expect_eq(shmctl(p2, IPC_RMID, NULL), 0);
    printf("%s: IPC_RMID\n", GUEST_NAME);
    pass();
}
