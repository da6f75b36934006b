// guest: timeout=60
/*
 * fork_threads - fork while other threads of the parent run and write
 * memory. The child has exactly one thread (the one that called fork):
 * the memory the parent's threads keep writing is frozen in the child, and
 * each writer's two copies of its counter (written a then b) are consistent
 * (b <= a <= b + 1: an instant's snapshot). The child's own thread works:
 * gettid() == getpid(), it can create and join a thread, use a fresh mutex,
 * and printf. The parent's writers keep running across FORKS forks.
 */
#define GUEST_NAME "fork_threads"
#include "guest.h"

#define WRITERS 3
#define FORKS 20

struct slot { volatile uint64_t a; char pad[2000]; volatile uint64_t b; } __attribute__((aligned(64)));
static struct slot slots[WRITERS];
static volatile int stop;

static void *writer_main(void *arg)
{
    struct slot *s = arg;
    uint64_t v = 0;
    while (!stop) {
        v++;
        s->a = v;
        __asm__ volatile("" ::: "memory");
        s->b = v;
        __asm__ volatile("" ::: "memory");
    }
    return NULL;
}

static void *child_thread(void *arg)
{
    return (void *)((intptr_t)arg + 1);
}

static int child_main(void)
{
    uint64_t a0[WRITERS], b0[WRITERS];
    for (int j = 0; j < WRITERS; j++) {
        b0[j] = slots[j].b; /* reading b first is fine: nobody writes any more */
        a0[j] = slots[j].a;
        if (a0[j] < b0[j] || a0[j] > b0[j] + 1) {
            child_say("writer %d: a=%llu b=%llu is not a snapshot", j, (unsigned long long)a0[j],
                      (unsigned long long)b0[j]);
            return 2;
        }
    }
    if ((pid_t)syscall(SYS_gettid) != getpid()) {
        child_say("gettid %ld != getpid %d", syscall(SYS_gettid), (int)getpid());
        return 3;
    }
    sleep_ms(10);
    for (int j = 0; j < WRITERS; j++)
        if (slots[j].a != a0[j] || slots[j].b != b0[j]) {
            child_say("writer %d's memory changes in the child: a thread was copied or the "
                      "parent's writes leak in", j);
            return 4;
        }
    pthread_t t;
    void *ret = NULL;
    if (pthread_create(&t, NULL, child_thread, (void *)41) != 0 || pthread_join(t, &ret) != 0 ||
        ret != (void *)42) {
        child_say("pthread_create/join in the child failed");
        return 5;
    }
    static pthread_mutex_t m;
    pthread_mutex_init(&m, NULL);
    if (pthread_mutex_lock(&m) != 0 || pthread_mutex_unlock(&m) != 0)
        return 6;
    return 0;
}

int main(void)
{
    start_watchdog(50);
    pthread_t th[WRITERS];
    for (int j = 0; j < WRITERS; j++)
        if (pthread_create(&th[j], NULL, writer_main, &slots[j]) != 0)
            fail("pthread_create");
    sleep_ms(5);
    uint64_t start[WRITERS];
    for (int j = 0; j < WRITERS; j++)
        start[j] = slots[j].a;
    for (int f = 0; f < FORKS; f++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            fail("fork %d: %s", f, strerror(errno));
        if (pid == 0)
            _exit(child_main());
        int code = reap(pid, "fork_threads child");
        if (code != 0)
            fail("fork %d: child exit %d (2: torn snapshot, 3: tid, 4: memory still changing, "
                 "5: threads, 6: mutex)", f, code);
    }
    stop = 1;
    for (int j = 0; j < WRITERS; j++) {
        pthread_join(th[j], NULL);
        if (slots[j].a == start[j])
            fail("writer %d made no progress during the forks", j);
    }
    printf("%s: %d forks with %d writer threads running, children consistent\n", GUEST_NAME,
           FORKS, WRITERS);
    pass();
}
