// guest: timeout=120
/*
 * tlb_stale - a change to the page tables is seen at once by the other
 * threads of the process, wherever they run: a thread on another CPU keeps
 * touching a page while the main thread changes its mapping, and the first
 * access after the change returned must see it.
 *
 *   munmap     the reader's next read faults (SIGSEGV), it does not read on
 *   mprotect   (to read-only) the writer's next write faults, it does not write on
 *   COW break  (the main thread writes a page a forked child still shares) the
 *              reader's next read sees the new value in the main thread's
 *              new frame, not the old frame the child keeps
 *
 * Each round runs in a child process of its own; for munmap and mprotect the
 * round must end with that child killed by SIGSEGV. An access that got
 * through after the change (the other CPU still used its old TLB entry: the
 * shootdown missing or late) ends it with STALE instead. Nothing here can
 * fail on one CPU (the other thread only runs after the change); on several
 * it fails without the kernel's TLB shootdowns (checked with the remote
 * invalidation switched off: docs/memory.md).
 */
#define GUEST_NAME "tlb_stale"
#include "guest.h"

#include <sys/mman.h>

#define ROUNDS 40
#define STALE 3         /* exit code: an access went through after the change */
#define NO_FAULT 4      /* exit code: the other thread never touched the page again */
#define WARM_SPINS 2000

enum scenario { MUNMAP, MPROTECT, COW };
static const char *const names[] = { "munmap", "mprotect", "COW break" };

static volatile uint64_t *target;
static volatile int changed;           /* set by the main thread once the change has returned */
static volatile long spins;
static volatile int stop;
static enum scenario mode;
static uint64_t cow_page[GUEST_PAGE / 8] __attribute__((aligned(GUEST_PAGE)));

static void *toucher(void *arg)
{
    (void)arg;
    for (;;) {
        int after = changed;            /* read before the access: ordered on x86 (and volatile) */
        if (mode == MPROTECT)
            target[1] = (uint64_t)spins;
        else if (mode == MUNMAP)
            (void)target[0];
        else if (target[0] != 2 && after)
            _exit(STALE);               /* COW: still the old frame after the write returned */
        if (after && mode != COW)
            _exit(STALE);               /* the access went through after the change */
        if (after && mode == COW)
            return NULL;                /* read the new value: done */
        if (stop)
            return NULL;
        spins++;
    }
}

static int round_child(void)
{
    if (mode == COW) {
        target = cow_page;
        target[0] = 1;
        /* A child that keeps the page COW-shared, so the write below copies it. */
        int hold[2];
        if (pipe(hold) != 0)
            return 10;
        pid_t holder = fork();
        if (holder == 0) {
            char c;
            close(hold[1]);
            while (read(hold[0], &c, 1) < 0 && errno == EINTR)
                ;
            _exit(0);
        }
        close(hold[0]);
        pthread_t t;
        if (pthread_create(&t, NULL, toucher, NULL) != 0)
            return 11;
        while (spins < WARM_SPINS)
            ;
        target[0] = 2;                  /* COW fault: a new frame for us, the old one stays the holder's */
        changed = 1;
        pthread_join(t, NULL);
        close(hold[1]);
        waitpid(holder, NULL, 0);
        return 0;
    }
    target = mmap(NULL, GUEST_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (target == MAP_FAILED)
        return 10;
    target[0] = 1;
    pthread_t t;
    if (pthread_create(&t, NULL, toucher, NULL) != 0)
        return 11;
    while (spins < WARM_SPINS)
        ;                               /* the toucher runs and has the translation cached */
    if (mode == MUNMAP)
        munmap((void *)target, GUEST_PAGE);
    else
        mprotect((void *)target, GUEST_PAGE, PROT_READ);
    changed = 1;
    sleep_ms(300);                      /* its next access faults and SIGSEGV ends us all */
    return NO_FAULT;
}

int main(void)
{
    start_watchdog(110);
    uint64_t t0 = now_ns();
    for (int m = MUNMAP; m <= COW; m++) {
        for (int r = 0; r < ROUNDS; r++) {
            fflush(stdout);
            pid_t pid = fork();
            if (pid < 0)
                fail("fork: %s", strerror(errno));
            if (pid == 0) {
                mode = (enum scenario)m;
                _exit(round_child());
            }
            int code = reap(pid, names[m]);
            int want = m == COW ? 0 : -SIGSEGV;
            if (code == STALE)
                fail("%s round %d: another thread's access went through after the change returned "
                     "(a stale TLB entry)", names[m], r);
            if (code == NO_FAULT)
                fail("%s round %d: the other thread never faulted after the change", names[m], r);
            if (code != want)
                fail("%s round %d: child ended with %d, expected %d", names[m], r, code, want);
        }
    }
    printf("%s: %d rounds each of munmap, mprotect and COW break seen at once by another thread (%llu ms)\n",
           GUEST_NAME, ROUNDS, (unsigned long long)ms_since(t0));
    pass();
}
