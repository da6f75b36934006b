// guest: timeout=60
/*
 * execve_errors - execve fails cleanly and leaves the caller running:
 * ENOENT for a missing file, EFAULT for a bad path, argv or string pointer,
 * E2BIG for an argument over 128 KiB; then a real exec of itself
 * (argv[1] = "again") still works, with its arguments intact, from a process
 * with other threads (blocked forever in FUTEX_WAIT, and spinning): they end,
 * as on Linux, and the new image runs alone.
 */
#define GUEST_NAME "execve_errors"
#include "guest.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define BAD ((void *)0x10)

static int forever;
static void *block(void *a) { (void)a; for (;;) syscall(SYS_futex, &forever, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0); return NULL; }
static void *spin(void *a) { (void)a; for (;;) __asm__ volatile("" ::: "memory"); return NULL; }

static void expect(const char *what, long r, int want)
{
    if (r != -1 || errno != want)
        fail("%s: returned %ld errno %d, expected errno %d", what, r, errno, want);
    printf("%s: %s ok\n", GUEST_NAME, what);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "again") == 0) {
        if (strlen(argv[2]) != 5000)
            _exit(3);
        _exit(42);
    }
    if (argc != 1) {   /* an exec below that should have failed did not */
        printf("FAIL %s: an execve that should have failed ran the program (argc %d)\n", GUEST_NAME, argc);
        _exit(1);
    }
    start_watchdog(50);
    char *const none[] = { "x", NULL };
    expect("missing file ENOENT", syscall(SYS_execve, "/no-such-program", none, NULL), ENOENT);
    expect("bad path EFAULT", syscall(SYS_execve, BAD, none, NULL), EFAULT);
    expect("bad argv EFAULT", syscall(SYS_execve, argv[0], BAD, NULL), EFAULT);
    char *const bad_string[] = { "x", BAD, NULL };
    expect("bad argv string EFAULT", syscall(SYS_execve, argv[0], bad_string, NULL), EFAULT);

    /* One 200 KiB string: past Linux's 128 KiB per string and stickyos's 128 KiB in all. */
    size_t big_size = 200 * 1024;
    char *big = malloc(big_size + 1);
    if (!big)
        fail("malloc");
    memset(big, 'a', big_size);
    big[big_size] = 0;
    char *const huge[] = { argv[0], big, NULL };
    expect("a 200 KiB argument E2BIG", syscall(SYS_execve, argv[0], huge, NULL), E2BIG);
    free(big);

    /* Still alive after all that: exec ourselves for real, in a child. */
    static char arg[5001];
    memset(arg, 'b', 5000);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, block, NULL) || pthread_create(&t, NULL, spin, NULL))
            _exit(5);
        char *const again[] = { argv[0], "again", arg, NULL };
        execve(argv[0], again, NULL);
        _exit(4);
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 42)
        fail("exec of itself from a threaded process: wait status %#x, expected exit 42", status);
    pass();
}
