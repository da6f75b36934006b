/* hello.c - first guest: stdio, argv/argc, environment, getpid, stderr. */
#define GUEST_NAME "hello"
#include "guest.h"

#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    start_watchdog(10);

    printf("hello: hello from a static musl binary\n");
    fflush(stdout);

    /* argc/argv */
    if (argc < 1)
        fail("argc = %d, expected >= 1", argc);
    if (argv == NULL || argv[0] == NULL)
        fail("argv[0] is NULL");
    if (argv[argc] != NULL)
        fail("argv[argc] is not NULL");
    printf("hello: argc=%d argv[0]=%s\n", argc, argv[0]);
    if (strstr(argv[0], "hello") == NULL)
        fail("argv[0] \"%s\" does not contain \"hello\"", argv[0]);

    /* environment */
    if (envp == NULL)
        fail("envp is NULL");
    if (environ == NULL)
        fail("environ is NULL");
    int nenv = 0;
    while (environ[nenv] != NULL)
        nenv++;
    printf("hello: envp non-null, %d environment strings\n", nenv);

    /* getpid */
    pid_t pid = getpid();
    printf("hello: getpid()=%d\n", (int)pid);
    if (pid <= 0)
        fail("getpid() = %d, expected > 0", (int)pid);

    /* stderr */
    int n = fprintf(stderr, "hello: this line goes to stderr\n");
    if (n <= 0)
        fail("fprintf(stderr) returned %d", n);
    if (fflush(stderr) != 0)
        fail("fflush(stderr) failed: %s", strerror(errno));
    static const char raw[] = "hello: raw write(2) to fd 2\n";
    ssize_t w = write(2, raw, sizeof raw - 1);
    if (w != (ssize_t)(sizeof raw - 1))
        fail("write(2, ...) returned %zd", w);

    /* raw write to stdout */
    static const char raw1[] = "hello: raw write(2) to fd 1\n";
    w = write(1, raw1, sizeof raw1 - 1);
    if (w != (ssize_t)(sizeof raw1 - 1))
        fail("write(1, ...) returned %zd", w);

    pass();
}
