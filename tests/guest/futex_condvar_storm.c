// guest: futex=all nosticky=fail timeout=120
/*
 * futex_condvar_storm - pthread mutexes and condition variables keep
 * working while the main thread forks again and again.
 *
 * Parent: two pairs of threads ping-pong through a mutex + two condvars
 * (pthread_cond_timedwait, 3 s: a timeout is a lost wakeup); two "sleeper"
 * threads wait on a condvar each (one process-private: musl uses private
 * futex ops on a waiter node on the sleeper's own stack; one
 * PTHREAD_PROCESS_SHARED in private memory: plain futex ops on the condvar
 * itself). Main forks FORKS times; before each fork it makes sure both
 * sleepers are blocked in pthread_cond_timedwait, and after the fork, while
 * the child is still alive, it signals them: each must acknowledge within
 * 1.5 s. Each child re-initialises its copy of the ping-pong objects and
 * runs its own short ping-pong with a thread of its own, then waits to be
 * released.
 *
 * This DOES exercise the 2002 bug, on purpose and deterministically: the
 * sleeper is queued on a futex word in private memory (its stack, or .bss)
 * when fork happens; the parent's pthread_cond_signal then writes that word
 * (a COW fault, the child still maps the frame) and wakes it. Under
 * `nosticky` that wake goes to the parent's new frame and the sleeper is
 * never woken -> FAIL "lost wakeup". The ping-pong threads are hit the same
 * way at random; the sleepers make the failure certain. This is the NPTL
 * fork failure of the seed thread.
 */
#define GUEST_NAME "futex_condvar_storm"
#include "guest.h"

#define FORKS 20
#define ACK_DEADLINE_MS 1500
#define PINGPONG_DEADLINE_S 3

/* ---- ping-pong: a mutex and two condvars, own page ---------------------- */
struct pingpong {
    pthread_mutex_t m;
    pthread_cond_t cv[2];
    int turn;
    long rounds;
    volatile int stop;
    volatile int lost;
} __attribute__((aligned(GUEST_PAGE)));
static struct pingpong pp[2];
struct player { struct pingpong *p; int side; long limit; };

static void *player_main(void *arg)
{
    struct player *pl = arg;
    struct pingpong *p = pl->p;
    pthread_mutex_lock(&p->m);
    while (!p->stop && (pl->limit == 0 || p->rounds < pl->limit)) {
        while (p->turn != pl->side && !p->stop) {
            struct timespec dl;
            clock_gettime(CLOCK_REALTIME, &dl);
            dl.tv_sec += PINGPONG_DEADLINE_S;
            if (pthread_cond_timedwait(&p->cv[pl->side], &p->m, &dl) == ETIMEDOUT) {
                p->lost = 1;
                p->stop = 1;
            }
        }
        if (p->stop)
            break;
        p->turn = !pl->side;
        p->rounds++;
        pthread_cond_signal(&p->cv[!pl->side]);
    }
    p->stop = 1;
    pthread_cond_broadcast(&p->cv[!pl->side]);
    pthread_mutex_unlock(&p->m);
    return NULL;
}

static void pingpong_init(struct pingpong *p, int pshared)
{
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    pthread_mutexattr_init(&ma);
    pthread_condattr_init(&ca);
    if (pshared) {
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    }
    pthread_mutex_init(&p->m, &ma);
    pthread_cond_init(&p->cv[0], &ca);
    pthread_cond_init(&p->cv[1], &ca);
    p->turn = 0;
    p->rounds = 0;
    p->stop = 0;
    p->lost = 0;
}

/* ---- sleepers: one waiter each, signalled by main after each fork -------- */
struct sleeper {
    pthread_mutex_t m;
    pthread_cond_t cv;
    int waiting;  /* set under m right before pthread_cond_timedwait */
    int go, ack;
    int stop;
    const char *name;
} __attribute__((aligned(GUEST_PAGE)));
static struct sleeper sl[2];

static void *sleeper_main(void *arg)
{
    struct sleeper *s = arg;
    pthread_mutex_lock(&s->m);
    while (!s->stop) {
        int seen = s->go;
        s->waiting = 1;
        while (s->go == seen && !s->stop) {
            struct timespec dl;
            clock_gettime(CLOCK_REALTIME, &dl);
            dl.tv_sec += 10; /* main's ACK_DEADLINE_MS judges; this only bounds */
            pthread_cond_timedwait(&s->cv, &s->m, &dl);
        }
        s->waiting = 0;
        s->ack = s->go;
    }
    pthread_mutex_unlock(&s->m);
    return NULL;
}

/* Wait until the sleeper is inside pthread_cond_timedwait (it released m). */
static void sleeper_await_waiting(struct sleeper *s)
{
    uint64_t t0 = now_ns();
    for (;;) {
        pthread_mutex_lock(&s->m);
        int w = s->waiting;
        pthread_mutex_unlock(&s->m);
        if (w)
            return;
        if (ms_since(t0) > 3000)
            fail("%s sleeper never started waiting", s->name);
        sleep_ms(1);
    }
}

static int child_main(struct held_child *c)
{
    /* Own copy of the ping-pong objects: re-initialise and use them. */
    struct pingpong *p = &pp[0];
    pingpong_init(p, 0);
    struct player a = { p, 0, 20 }, b = { p, 1, 20 };
    pthread_t t;
    if (pthread_create(&t, NULL, player_main, &b) != 0)
        return 2;
    player_main(&a);
    pthread_join(t, NULL);
    if (p->lost || p->rounds < 20) {
        child_say("own ping-pong: rounds %ld lost %d", p->rounds, p->lost);
        return 3;
    }
    child_signal(c);
    child_wait_release(c);
    return 0;
}

int main(void)
{
    start_watchdog(110);
    struct player pl[2][2];
    pthread_t pt[2][2], st[2];
    for (int i = 0; i < 2; i++) {
        pingpong_init(&pp[i], i);
        for (int s = 0; s < 2; s++) {
            pl[i][s] = (struct player){ &pp[i], s, 0 };
            if (pthread_create(&pt[i][s], NULL, player_main, &pl[i][s]) != 0)
                fail("pthread_create player");
        }
        pthread_mutexattr_t ma;
        pthread_condattr_t ca;
        pthread_mutexattr_init(&ma);
        pthread_condattr_init(&ca);
        if (i) {
            pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
            pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
        }
        pthread_mutex_init(&sl[i].m, &ma);
        pthread_cond_init(&sl[i].cv, &ca);
        sl[i].name = i ? "process-shared (plain futex ops)" : "private (private futex ops)";
        if (pthread_create(&st[i], NULL, sleeper_main, &sl[i]) != 0)
            fail("pthread_create sleeper");
    }

    uint64_t t0 = now_ns();
    for (int f = 0; f < FORKS; f++) {
        for (int i = 0; i < 2; i++)
            sleeper_await_waiting(&sl[i]);
        sleep_ms(10); /* from "released the mutex" to "blocked in futex" */
        struct held_child c;
        if (held_fork(&c) == 0)
            _exit(child_main(&c));
        parent_wait_ready(&c, "storm child");
        /* The child is alive and maps the sleepers' pages: signal now. */
        for (int i = 0; i < 2; i++) {
            pthread_mutex_lock(&sl[i].m);
            sl[i].go++;
            pthread_cond_signal(&sl[i].cv);
            pthread_mutex_unlock(&sl[i].m);
        }
        for (int i = 0; i < 2; i++) {
            uint64_t ts = now_ns();
            for (;;) {
                pthread_mutex_lock(&sl[i].m);
                int ok = sl[i].ack == sl[i].go;
                pthread_mutex_unlock(&sl[i].m);
                if (ok)
                    break;
                if (ms_since(ts) > ACK_DEADLINE_MS)
                    fail("lost wakeup: fork %d: the %s condvar sleeper, queued before the fork, "
                         "was not woken %d ms after pthread_cond_signal", f, sl[i].name,
                         ACK_DEADLINE_MS);
                sleep_ms(1);
            }
        }
        int code = held_finish(&c, "storm child");
        if (code != 0)
            fail("fork %d: child exit %d", f, code);
        for (int i = 0; i < 2; i++)
            if (pp[i].lost)
                fail("lost wakeup: a %s ping-pong condvar wait timed out after %d s (fork %d)",
                     i ? "process-shared" : "private", PINGPONG_DEADLINE_S, f);
    }
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&pp[i].m);
        pp[i].stop = 1;
        pthread_cond_broadcast(&pp[i].cv[0]);
        pthread_cond_broadcast(&pp[i].cv[1]);
        pthread_mutex_unlock(&pp[i].m);
        for (int s = 0; s < 2; s++)
            pthread_join(pt[i][s], NULL);
        pthread_mutex_lock(&sl[i].m);
        sl[i].stop = 1;
        pthread_cond_signal(&sl[i].cv);
        pthread_mutex_unlock(&sl[i].m);
        pthread_join(st[i], NULL);
    }
    for (int i = 0; i < 2; i++)
        if (pp[i].lost)
            fail("lost wakeup in the %s ping-pong", i ? "process-shared" : "private");
    printf("%s: %d forks in %llu ms; ping-pong rounds %ld (private) %ld (shared)\n", GUEST_NAME,
           FORKS, (unsigned long long)ms_since(t0), pp[0].rounds, pp[1].rounds);
    pass();
}
