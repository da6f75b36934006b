/* What `make debug` runs by default (tools/gdb/mkinitrd, run=forkdemo): a
 * fork whose child writes to a page it shares copy-on-write with its parent,
 * so a breakpoint on the COW fault path is hit on cue (docs/debugging.md,
 * "gdb"). Exits 0 iff the parent's copy stayed intact. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char page[4096] __attribute__((aligned(4096))) = "parent's data";

int main(void)
{
    printf("forkdemo: pid %d, page at %p\n", getpid(), (void *)page);
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        strcpy(page, "child's data");          /* the write that breaks COW */
        printf("forkdemo: child %d wrote \"%s\"\n", getpid(), page);
        return 0;
    }
    int status = 0;
    waitpid(child, &status, 0);
    printf("forkdemo: parent still sees \"%s\"; child exit status %d\n", page,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return strcmp(page, "parent's data") != 0;
}
