// guest: timeout=60
/*
 * kernel_addresses - user code touching kernel addresses is an ordinary
 * SIGSEGV for that process, whatever lives there: the direct map, the kernel
 * image, a kernel stack's guard page (which the kernel itself treats as a
 * stack overflow), a kernel stack, and the first non-canonical address (#GP).
 * A panic here would let any program stop the machine.
 */
#define GUEST_NAME "kernel_addresses"
#include "guest.h"

#include <signal.h>
#include <sys/wait.h>

static const struct { const char *what; uintptr_t address; } targets[] = {
    { "direct map", 0xffff800000100000ul },
    { "kernel image", 0xffffffff80000000ul },
    { "kernel stack guard page", 0xffffff0000000000ul },
    { "kernel stack", 0xffffff0000001000ul },
    { "non-canonical", 0x0000800000000000ul },
};

int main(void)
{
    start_watchdog(50);
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        for (int write = 0; write < 2; write++) {
            fflush(stdout);
            pid_t pid = fork();
            if (pid < 0)
                fail("fork: %s", strerror(errno));
            if (pid == 0) {
                volatile char *p = (volatile char *)targets[i].address;
                if (write)
                    *p = 1;
                else
                    (void)*p;
                _exit(0);
            }
            int status;
            if (waitpid(pid, &status, 0) != pid)
                fail("waitpid: %s", strerror(errno));
            if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
                fail("%s of the %s (%#lx): wait status %#x, expected SIGSEGV", write ? "write" : "read",
                     targets[i].what, (unsigned long)targets[i].address, status);
            printf("%s: %s of the %s: SIGSEGV\n", GUEST_NAME, write ? "write" : "read", targets[i].what);
        }
    }
    pass();
}
