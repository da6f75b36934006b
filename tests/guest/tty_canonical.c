/* tty_canonical.c - reading the terminal in canonical mode (the default):
 * the line discipline hands out whole lines the user edited. The runner types
 * the keys of the guest-input line once this prints "waiting for input" (on
 * stickyos into the serial console, natively into a pty) and compares the
 * two transcripts, echo included. With the argument "typed-ahead" the keys
 * may already be there when it starts (exec/stdin pipes them into run-guest).
 * skip-native: on its own it would wait for keys nobody types; the guest
 * suite runs it natively under a pty.
 */
// guest: timeout=30 skip-native
// guest-input: "abc\x7f\x7fd\r" "one two\x17three\n" "xx\x15yy\n" "tab\t\x7f!\n" "q\x16\x7f\n" "long line\n" "partial\x04" "\x04" "after\n"
#define GUEST_NAME "tty_canonical"
#include "guest.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

/* One read(2) of at most `max` bytes must return exactly `want`. */
static void expect_read(int max, const char *want, const char *why)
{
    char buf[64];
    ssize_t n = read(0, buf, (size_t)max);
    if (n < 0)
        fail("read: %s", strerror(errno));
    int len = (int)strlen(want);
    if (n != len || memcmp(buf, want, (size_t)len) != 0)
        fail("read returned %zd bytes \"%.*s\", expected %d bytes \"%s\" (%s)", n, (int)n, buf, len, want, why);
}

int main(int argc, char **argv)
{
    int typed_ahead = argc > 1 && strcmp(argv[1], "typed-ahead") == 0;
    start_watchdog(20);
    struct termios t;
    if (!isatty(0) || tcgetattr(0, &t) != 0)
        fail("stdin is not a terminal: %s", strerror(errno));
    expect_true((t.c_lflag & (ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | ISIG | IEXTEN))
                == (ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | ISIG | IEXTEN));
    expect_true((t.c_iflag & ICRNL) && (t.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR));
    expect_eq(t.c_cc[VERASE], 0x7f);
    expect_eq(t.c_cc[VKILL], 0x15);
    expect_eq(t.c_cc[VEOF], 0x04);
    expect_eq(t.c_cc[VWERASE], 0x17);
    expect_eq(t.c_cc[VLNEXT], 0x16);
    expect_eq(t.c_cc[VMIN], 1);
    struct winsize w;
    expect_eq(ioctl(0, TIOCGWINSZ, &w), 0);

    struct pollfd in = { .fd = 0, .events = POLLIN };
    if (!typed_ahead) {
        expect_eq(poll(&in, 1, 0), 0);              /* nothing typed yet */
        expect_eq(in.revents, 0);
    }

    /* Nothing is printed between the reads: all the echo comes first, in
     * both transcripts, whenever the program gets to read. */
    printf("tty_canonical: waiting for input\n");
    expect_eq(poll(&in, 1, 10000), 1);              /* a whole line has come */
    expect_eq(in.revents, POLLIN);
    expect_read(64, "ad\n", "two erases; Enter's CR read as NL");
    expect_read(64, "one three\n", "Ctrl-W erased a word");
    expect_read(64, "yy\n", "Ctrl-U killed the line");
    expect_read(64, "tab!\n", "a tab erased");
    expect_read(64, "q\x7f\n", "Ctrl-V quoted the erase key");
    expect_read(3, "lon", "a short read takes part of a line");
    expect_read(64, "g line\n", "... the next one the rest");
    expect_read(64, "partial", "Ctrl-D ended the line without a newline");
    expect_read(64, "", "Ctrl-D on an empty line: end of file");
    expect_read(64, "after\n", "end of file does not stick");
    printf("tty_canonical: every line as edited\n");
    pass();
}
