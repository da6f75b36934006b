// guest: timeout=120
/*
 * fork_tree - `for (i = 0; i < DEPTH; i++) fork();` builds a binomial tree
 * of 2^DEPTH processes over DEPTH generations. Every process reaps all of
 * its children (it must have exactly DEPTH - i of them, where i is the loop
 * index at which it was born) and exits with the size of its subtree; the
 * root checks the total is 2^DEPTH. Orphans and unreaped zombies would show
 * as wrong counts or as a leak in init's accounting line.
 */
#define GUEST_NAME "fork_tree"
#include "guest.h"

#define DEPTH 5

int main(void)
{
    start_watchdog(110);
    pid_t root = getpid();
    pid_t kids[DEPTH];
    int nkids = 0, born_at = -1;
    fflush(stdout);
    for (int i = 0; i < DEPTH; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            if (getpid() == root)
                fail("fork at level %d: %s", i, strerror(errno));
            _exit(200);
        }
        if (pid == 0) {
            nkids = 0; /* a new process: it has no children yet */
            born_at = i;
        } else {
            kids[nkids++] = pid;
        }
    }
    int total = 1, bad = 0;
    for (int k = 0; k < nkids; k++) {
        int st;
        pid_t r;
        while ((r = waitpid(kids[k], &st, 0)) < 0 && errno == EINTR)
            ;
        if (r != kids[k] || !WIFEXITED(st) || WEXITSTATUS(st) >= 200)
            bad = 1;
        else
            total += WEXITSTATUS(st);
    }
    int expect_kids = DEPTH - (born_at + 1);
    errno = 0;
    if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
        bad = 1; /* someone else's child landed here, or one is missing */
    if (nkids != expect_kids)
        bad = 1;
    if (getpid() != root)
        _exit(bad ? 201 : total);
    if (bad)
        fail("a process of the tree had the wrong children or a child failed (total %d)", total);
    if (total != 1 << DEPTH)
        fail("tree has %d processes, expected %d", total, 1 << DEPTH);
    printf("%s: %d processes over %d generations, all reaped\n", GUEST_NAME, total, DEPTH);
    pass();
}
