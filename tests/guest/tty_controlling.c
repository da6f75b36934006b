/*
 * tty_controlling - /dev/tty is the caller's controlling terminal: a child
 * that starts a session of its own (setsid) and takes no terminal cannot open
 * it, ENXIO as on Linux; its stdin, stdout and stderr still work. Programs
 * such as dar look for a terminal to ask questions on this way; finding the
 * console instead, they waited for an answer nobody typed.
 */
// guest: timeout=30
#define GUEST_NAME "tty_controlling"
#include "guest.h"

#include <fcntl.h>
#include <sys/wait.h>

int main(void)
{
    start_watchdog(25);
    pid_t pid = fork();
    if (pid < 0) fail("fork: %s", strerror(errno));
    if (pid == 0) {
        if (setsid() < 0) { printf("setsid: %s\n", strerror(errno)); _exit(2); }
        errno = 0;
        int fd = open("/dev/tty", O_RDWR);
        if (fd >= 0 || errno != ENXIO) {
            printf("tty_controlling: open /dev/tty in a new session -> %d (%s), expected ENXIO\n", fd, strerror(errno));
            _exit(3);
        }
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) fail("waitpid: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail("the child in a session of its own: status %#x", status);
    printf("tty_controlling: /dev/tty in a new session without a terminal: ENXIO\n");
    pass();
}
