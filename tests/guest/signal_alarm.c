// guest: timeout=60
/*
 * signal_alarm - alarm and setitimer(ITIMER_REAL): SIGALRM arrives after
 * the time asked (pause returns EINTR after the handler), alarm returns the
 * seconds left of the previous alarm and alarm(0) cancels it, an interval
 * timer fires repeatedly until disarmed, getitimer reports the time left,
 * a bad timeval is EINVAL, a fork child does not inherit the timer, and
 * SIGALRM's default action ends a process with that signal.
 */
#define GUEST_NAME "signal_alarm"
#include "guest.h"

#include <signal.h>
#include <sys/time.h>

static volatile int alarms;
static void on_alarm(int s) { (void)s; alarms++; }

int main(void)
{
    start_watchdog(50);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);

    uint64_t t0 = now_ns();
    expect_eq(alarm(1), 0);
    expect_eq(pause(), -1);
    expect_eq(errno, EINTR);
    uint64_t ms = ms_since(t0);
    expect_eq(alarms, 1);
    if (ms < 950 || ms > 2500)
        fail("alarm(1) fired after %llu ms", (unsigned long long)ms);
    printf("%s: alarm(1) fired after %llu ms\n", GUEST_NAME, (unsigned long long)ms);

    expect_eq(alarm(10), 0);
    sleep_ms(100);
    expect_eq(alarm(0), 10);   /* 9.9 s left rounds to 10 */
    expect_eq(alarm(0), 0);

    struct itimerval it = { .it_interval = { 0, 50000 }, .it_value = { 0, 50000 } }, now;
    alarms = 0;
    expect_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    expect_eq(getitimer(ITIMER_REAL, &now), 0);
    expect_true(now.it_interval.tv_usec == 50000 && now.it_value.tv_sec == 0 && now.it_value.tv_usec <= 50000);
    t0 = now_ns();
    while (alarms < 5 && ms_since(t0) < 3000)
        pause();
    memset(&it, 0, sizeof it);
    struct itimerval old;
    expect_eq(setitimer(ITIMER_REAL, &it, &old), 0);
    expect_eq(old.it_interval.tv_usec, 50000);
    int seen = alarms;
    expect_true(seen >= 5);
    sleep_ms(200);
    expect_eq(alarms, seen);   /* disarmed */
    it.it_value.tv_usec = 1000000;
    expect_eq(setitimer(ITIMER_REAL, &it, NULL), -1);
    expect_eq(errno, EINVAL);
    printf("%s: a 50 ms interval timer fired %d times, then stopped; EINVAL\n", GUEST_NAME, seen);

    /* Not inherited by a fork child; SIGALRM's default kills. */
    alarm(1);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        _exit(alarm(0) == 0 ? 0 : 1);
    }
    expect_eq(reap(pid, "fork child"), 0);
    alarm(0);
    pid = fork();
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        for (;;)
            pause();
    }
    expect_eq(reap(pid, "alarm child"), -SIGALRM);
    printf("%s: fork does not inherit the timer; SIGALRM's default kills\n", GUEST_NAME);
    pass();
}
