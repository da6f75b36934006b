/* args_env.c - the command line and environment a program is started with:
 * prints each argument and the STICKY_* variables, checks envp == environ,
 * argv[argc] == NULL, and that getenv finds what envp holds. With no
 * arguments it passes on its own (the guest suite); tools/testlib/exectests.py
 * runs it with arguments and --env and checks the lines it prints. */
#define GUEST_NAME "args_env"
#include "guest.h"

#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    start_watchdog(10);
    if (argv[argc] != NULL)
        fail("argv[argc] is not NULL");
    if (envp != environ)
        fail("envp %p is not environ %p", (void *)envp, (void *)environ);
    printf("args_env: argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("args_env: argv[%d]=[%s]\n", i, argv[i]);
    for (char **e = envp; *e != NULL; e++) {
        char *eq = strchr(*e, '=');
        if (eq == NULL)
            fail("environment string without '=': %s", *e);
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
        if (getenv(name) == NULL)
            fail("getenv(%s) is NULL though envp has %s", name, *e);
        if (strncmp(*e, "STICKY_", 7) == 0)
            printf("args_env: env [%s]\n", *e);
    }
    pass();
}
