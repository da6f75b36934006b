/*
 * cost.c - one operation COUNT times, for tools/tcg-cost, which boots two
 * builds of it (two counts) and divides the difference of QEMU's host
 * instructions by the difference of the counts. Built by make as
 * build/bench/cost-<op>-<count>, <op> one of:
 *   getpid  a getpid syscall
 *   futex   a FUTEX_WAIT/WAKE handoff round trip between two threads
 *   cow     a copy-on-write fault in a fork child (COUNT pages)
 *   forkpin fork + exit + wait with 256 threads waiting on distinct pages
 *   fork1024 fork + exit + wait of a process with 1024 dirtied private pages
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE (0 | 128)
#define FUTEX_WAKE_PRIVATE (1 | 128)
#define PAGE 4096
#define WAITERS 256

static int word;

__attribute__((unused)) static void *partner(void *arg)
{
    (void)arg;
    for (int i = 0; i < COUNT; i++) {
        while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) != 1)
            syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        __atomic_store_n(&word, 0, __ATOMIC_RELEASE);
        syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    return NULL;
}

static int queued;

__attribute__((unused)) static void *waiter(void *w)
{
    __atomic_add_fetch(&queued, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n((int *)w, __ATOMIC_ACQUIRE) == 0)
        syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return NULL;
}

int main(void)
{
#if defined(OP_getpid)
    for (int i = 0; i < COUNT; i++)
        syscall(SYS_getpid);
#elif defined(OP_futex)
    pthread_t t;
    pthread_create(&t, NULL, partner, NULL);
    for (int i = 0; i < COUNT; i++) {
        __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
        syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) != 0)
            syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
    }
    pthread_join(t, NULL);
#elif defined(OP_cow)
    char *m = mmap(NULL, (size_t)COUNT * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < COUNT; i++)
        m[(size_t)i * PAGE] = 1;
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < COUNT; i++)
            m[(size_t)i * PAGE] = 2;
        _exit(0);
    }
    waitpid(pid, NULL, 0);
#elif defined(OP_forkpin)
    static pthread_t th[WAITERS];
    char *pages = mmap(NULL, WAITERS * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 16 * 1024);
    for (int i = 0; i < WAITERS; i++) {
        pages[(size_t)i * PAGE] = 0;
        pthread_create(&th[i], &attr, waiter, pages + (size_t)i * PAGE);
    }
    while (__atomic_load_n(&queued, __ATOMIC_ACQUIRE) != WAITERS)
        sched_yield();
    struct timespec settle = { 0, 5 * 1000 * 1000 };
    nanosleep(&settle, NULL);
    for (int i = 0; i < COUNT; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        waitpid(pid, NULL, 0);
    }
    for (int i = 0; i < WAITERS; i++) {
        __atomic_store_n((int *)(pages + (size_t)i * PAGE), 1, __ATOMIC_RELEASE);
        syscall(SYS_futex, pages + (size_t)i * PAGE, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    for (int i = 0; i < WAITERS; i++)
        pthread_join(th[i], NULL);
#elif defined(OP_fork1024)
    char *m = mmap(NULL, 1024 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 1024; i++)
        m[(size_t)i * PAGE] = 1;
    for (int i = 0; i < COUNT; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        waitpid(pid, NULL, 0);
    }
#else
#error "define OP_getpid, OP_futex, OP_cow, OP_forkpin or OP_fork1024"
#endif
    return 0;
}
