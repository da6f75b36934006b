/* tty_raw.c - a program that puts the terminal in raw mode, as editors and
 * shells with line editing do (TCSETSF through tcsetattr, then TCGETS reads
 * it back): every byte is readable as it comes, untranslated, no echo, no
 * signal keys; VMIN and VTIME decide when a read returns. Keys are typed once
 * it prints "waiting for input" (see tty_canonical.c).
 * skip-native: on its own it would wait for keys nobody types; the guest
 * suite runs it natively under a pty.
 */
// guest: timeout=30 skip-native
// guest-input: "a\r\x7f\x03\x04\x1a\x1cz"
// guest-input: "12345678"
#define GUEST_NAME "tty_raw"
#include "guest.h"

#include <poll.h>
#include <termios.h>

static struct termios saved;

/* TCSAFLUSH (TCSETSF) throws away what was typed and not read yet; TCSANOW keeps it. */
static void set(struct termios *t, int when)
{
    if (tcsetattr(0, when, t) != 0)
        fail("tcsetattr: %s", strerror(errno));
}

/* Reads until `want` bytes came (a raw read returns what has arrived, which
 * depends on how fast the keys come); they must be `bytes`. */
static void expect_bytes(const char *bytes, int want)
{
    char buf[64];
    int got = 0;
    while (got < want) {
        ssize_t n = read(0, buf + got, sizeof buf - (size_t)got);
        if (n <= 0)
            fail("read after %d bytes: %zd (%s)", got, n, n < 0 ? strerror(errno) : "no input");
        got += (int)n;
    }
    if (got != want || memcmp(buf, bytes, (size_t)want) != 0)
        fail("read %d bytes, not the %d typed, or changed on the way", got, want);
}

/* Output processing is off too: lines end with CR LF by hand. */
static void say(const char *line)
{
    printf("tty_raw: %s\r\n", line);
    fflush(stdout);
}

int main(void)
{
    start_watchdog(20);
    if (tcgetattr(0, &saved) != 0)
        fail("stdin is not a terminal: %s", strerror(errno));
    struct termios raw = saved;
    raw.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON | ISTRIP);
    raw.c_oflag &= ~(tcflag_t)OPOST;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | ISIG | IEXTEN);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    set(&raw, TCSAFLUSH);
    struct termios back;
    expect_eq(tcgetattr(0, &back), 0);
    expect_eq(back.c_lflag, raw.c_lflag);
    expect_eq(back.c_iflag, raw.c_iflag);
    expect_eq(back.c_oflag, raw.c_oflag);
    expect_eq(back.c_cc[VMIN], 1);

    struct pollfd in = { .fd = 0, .events = POLLIN | POLLOUT };
    expect_eq(poll(&in, 1, 0), 1);                  /* nothing to read; the terminal is writable */
    expect_eq(in.revents, POLLOUT);
    say("waiting for input");
    in.events = POLLIN;
    expect_eq(poll(&in, 1, 10000), 1);              /* a byte has come */
    expect_eq(in.revents, POLLIN);
    /* CR, DEL, Ctrl-C, Ctrl-D, Ctrl-Z, Ctrl-\: plain bytes now; no signal came. */
    expect_bytes("a\r\x7f\x03\x04\x1a\x1cz", 8);

    /* VMIN=0, VTIME=0: a poll, nothing there. */
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    set(&raw, TCSANOW);
    char c;
    expect_eq(read(0, &c, 1), 0);

    /* VMIN=0, VTIME=2: a read with a 0.2 s timeout returns 0 when nothing comes. */
    raw.c_cc[VTIME] = 2;
    set(&raw, TCSANOW);
    uint64_t start = now_ns();
    expect_eq(read(0, &c, 1), 0);
    uint64_t waited = (now_ns() - start) / 1000000;
    if (waited < 150 || waited > 2000)
        fail("a VTIME=2 read returned after %llu ms", (unsigned long long)waited);

    /* VMIN=5: not before five bytes are there (however they trickle in). */
    raw.c_cc[VMIN] = 5;
    raw.c_cc[VTIME] = 0;
    set(&raw, TCSANOW);
    say("waiting for input");
    char buf[16];
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 5)
        fail("a VMIN=5 read returned %zd bytes", n);
    int total = (int)n;
    raw.c_cc[VMIN] = 1;
    set(&raw, TCSANOW);
    while (total < 8) {
        n = read(0, buf + total, sizeof buf - (size_t)total);
        if (n <= 0)
            fail("read after %d bytes: %zd", total, n);
        total += (int)n;
    }
    if (total != 8 || memcmp(buf, "12345678", 8) != 0)
        fail("read \"%.*s\" after the VMIN=5 read", total, buf);
    raw.c_cc[VMIN] = 0;
    set(&raw, TCSANOW);
    expect_eq(read(0, &c, 1), 0);

    set(&saved, TCSANOW);
    expect_eq(tcgetattr(0, &back), 0);
    expect_true(back.c_lflag & ICANON);
    say("raw reads as expected");
    printf("\n");   /* OPOST is back: this is CR LF again */
    pass();
}
