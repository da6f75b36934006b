/*
 * debian_static - Debian's static binaries (glibc static builds, not ours) do
 * real work: e2fsck.static checks a clean ext2 image, finds the two faults of
 * a broken one, repairs a copy in /tmp and finds it clean afterwards;
 * gpgv-static verifies a detached signature and rejects it over other bytes;
 * dar_static and dar_cp_static stop as on Linux without gpg (see dar());
 * cdebootstrap-static answers --help and --version.
 *
 * Each command runs as a child in a session of its own (no controlling
 * terminal, as under the test runner on Linux), stdin /dev/null, stdout and
 * stderr into one pipe. Its output and exit status are printed as lines
 * "debian_static| ..."; the guest suite (metadata same-as-native) runs this
 * program natively too and requires the two transcripts to be identical, so
 * the expected output is Linux's. The data files come from the
 * host's mke2fs and gpg at build time (tools/mkguestdata), in /data in the
 * guest and STICKY_GUEST_DATA natively.
 */
// guest: timeout=240 mem=256M debian data same-as-native
#define GUEST_NAME "debian_static"
#include "guest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define E2FSCK "/sbin/e2fsck.static"
#define GPGV "/usr/bin/gpgv-static"
#define DAR "/usr/bin/dar_static"
#define DAR_CP "/usr/bin/dar_cp_static"
#define CDEBOOTSTRAP "/usr/bin/cdebootstrap-static"
#define PREFIX GUEST_NAME "| "

/* Commands are named by their paths; PATH has no gpg, natively neither (see dar()). */
static char *env[] = { "PATH=/nonexistent", "HOME=/nonexistent", "TZ=UTC", "LC_ALL=C",
                       "EXT2FS_NO_MTAB_OK=1", NULL };   /* e2fsprogs: no /proc/mounts is not an error */
static char out[1 << 16];

/* Runs `args` (args[0]: the binary's path); its stdout+stderr into `out`. Returns the wait status decoded. */
static int run(char *const args[])
{
    int o[2];
    if (pipe(o) != 0) fail("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) fail("fork: %s", strerror(errno));
    if (pid == 0) {
        setsid();
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(o[1], 1);
        dup2(o[1], 2);
        close(null); close(o[0]); close(o[1]);
        execve(args[0], args, env);
        printf("execve %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    close(o[1]);
    size_t used = 0;
    ssize_t n;
    while (used < sizeof out - 1 && (n = read(o[0], out + used, sizeof out - 1 - used)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read from %s: %s", args[0], strerror(errno));
        used += (size_t)n;
    }
    out[used] = 0;
    close(o[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) fail("waitpid %s: %s", args[0], strerror(errno));
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return code;
}

/* The transcript: the command line, each line of its output, its status. */
static void show(char *const args[], const char *text, int status)
{
    printf(PREFIX "$");
    for (int i = 0; args[i]; i++) printf(" %s", args[i]);
    printf("\n");
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        int len = end ? (int)(end - p) : (int)strlen(p);
        printf(PREFIX "%.*s\n", len, p);
        p += len + (end != NULL);
    }
    printf(PREFIX "-> %d\n", status);
}

static int run_shown(char *const args[])
{
    int status = run(args);
    show(args, out, status);
    return status;
}

#define RUN(...) run_shown((char *const[]){ __VA_ARGS__, NULL })

static void need(const char *path, const char *package)
{
    if (access(path, X_OK) != 0) fail("%s: %s (install %s: tools/setup)", path, strerror(errno), package);
}

static void copy(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), o = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || o < 0) fail("copy %s to %s: %s", from, to, strerror(errno));
    char buf[8192];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(o, buf, (size_t)n) != n) fail("write %s: %s", to, strerror(errno));
    if (n < 0) fail("read %s: %s", from, strerror(errno));
    close(in);
    close(o);
}

/* rm -r: the work directory goes, so /tmp holds nothing afterwards. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) fail("lstat %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) fail("opendir %s: %s", path, strerror(errno));
        struct dirent *e;
        char child[512];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            remove_tree(child);
            rewinddir(d);
        }
        closedir(d);
        if (rmdir(path) != 0) fail("rmdir %s: %s", path, strerror(errno));
    } else if (unlink(path) != 0) {
        fail("unlink %s: %s", path, strerror(errno));
    }
}

static int has(const char *text, const char *what) { return strstr(text, what) != NULL; }

static void e2fsck(void)
{
    expect_eq(RUN(E2FSCK, "-V"), 0);
    expect_true(has(out, "e2fsck 1."));
    expect_eq(RUN(E2FSCK, "-fn", "small.ext2"), 0);
    expect_true(has(out, "Pass 5: Checking group summary information"));
    /* -n: every question answered no, the image untouched: exit 4 (errors left). */
    expect_eq(RUN(E2FSCK, "-fn", "broken.ext2"), 4);
    expect_true(has(out, "Inode 2 ref count is 7, should be"));
    expect_true(has(out, "Free blocks count wrong (3, counted="));
    copy("broken.ext2", "fixed.ext2");
    expect_eq(RUN(E2FSCK, "-fy", "fixed.ext2"), 1);            /* errors corrected */
    expect_true(has(out, "***** FILE SYSTEM WAS MODIFIED *****"));
    expect_eq(RUN(E2FSCK, "-fn", "fixed.ext2"), 0);
    expect_eq(RUN(E2FSCK, "-fn", "broken.ext2"), 4);           /* the original was not written */
}

static void gpgv(void)
{
    expect_eq(RUN(GPGV, "--version"), 0);
    expect_true(has(out, "gpgv (GnuPG) 2."));
    expect_eq(RUN(GPGV, "--keyring", "./key.gpg", "message.txt.sig", "message.txt"), 0);
    expect_true(has(out, "Good signature from \"stickyos test"));
    expect_eq(RUN(GPGV, "--keyring", "./key.gpg", "tampered.txt.sig", "tampered.txt"), 1);
    expect_true(has(out, "BAD signature from \"stickyos test"));
}

/* dar's library starts gpgme, which looks for gpg on PATH; without it (Debian's
 * gpg is not static, so it cannot be here), dar asks whether to go on without
 * gpg support -- on /dev/tty, which a process without a controlling terminal
 * cannot open -- takes no for the answer and stops, exit 4: what Linux does
 * under the same PATH. So only that is checked, for --version and for an
 * archive that then must not be made. */
static void dar(void)
{
    expect_eq(RUN(DAR, "--version"), 4);
    expect_true(has(out, "No terminal found for user interaction."));
    expect_true(has(out, "INITIALIZATION FAILED FOR GPGME, missing gpg binary?"));
    expect_eq(RUN(DAR, "-c", "archive", "-R", ".", "-g", "key.gpg", "-Q"), 4);
    expect_eq(access("archive.1.dar", F_OK), -1);
    expect_eq(RUN(DAR_CP, "message.txt", "copy.txt"), 4);
    expect_eq(access("copy.txt", F_OK), -1);
}

static void cdebootstrap(void)
{
    expect_eq(RUN(CDEBOOTSTRAP, "--version"), 0);
    expect_true(has(out, "cdebootstrap "));
    expect_eq(RUN(CDEBOOTSTRAP, "--help"), 0);
    expect_true(has(out, "Usage: " CDEBOOTSTRAP " [OPTION]... [ORIGIN/]CODENAME TARGET"));
}

int main(void)
{
    start_watchdog(230);
    need(E2FSCK, "e2fsck-static");
    need(GPGV, "gpgv-static");
    need(DAR, "dar-static");
    need(DAR_CP, "dar-static");
    need(CDEBOOTSTRAP, "cdebootstrap-static");

    /* The data, copied into a fresh /tmp directory the commands run in: the
     * transcript names files relative to it, the same here and on Linux. */
    const char *data = getenv("STICKY_GUEST_DATA");
    if (!data) data = "/data";
    char work[] = "/tmp/debian_static.XXXXXX";
    if (!mkdtemp(work)) fail("mkdtemp: %s", strerror(errno));
    const char *names[] = { "small.ext2", "broken.ext2", "key.gpg", "message.txt", "message.txt.sig",
                            "tampered.txt", "tampered.txt.sig" };
    char from[512], to[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(from, sizeof from, "%s/%s", data, names[i]);
        snprintf(to, sizeof to, "%s/%s", work, names[i]);
        copy(from, to);
    }
    if (chdir(work) != 0) fail("chdir %s: %s", work, strerror(errno));

    e2fsck();
    gpgv();
    dar();
    cdebootstrap();

    if (chdir("/") != 0) fail("chdir /: %s", strerror(errno));
    remove_tree(work);
    pass();
}
