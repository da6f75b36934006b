/*
 * files_listing - the directory tree as a program sees it: "/" lists ".",
 * "..", "dev" and "tmp" (on stickyos also /init and this program, from the
 * initramfs), /dev lists the device nodes, and an entry created in /tmp shows
 * up in a listing there, with the type and inode stat reports.
 */
// guest: timeout=60
#define GUEST_NAME "files_listing"
#include "guest.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <sys/utsname.h>

static int on_stickyos(void)
{
    struct utsname u;
    return uname(&u) == 0 && strcmp(u.sysname, "stickyos") == 0;
}

/* Is `name` in directory `path`, with d_type `type` (DT_UNKNOWN: any) and the inode stat gives? */
static int listed(const char *path, const char *name, int type)
{
    DIR *d = opendir(path);
    if (!d) fail("opendir %s: %s", path, strerror(errno));
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, name) != 0) continue;
        char full[512];
        snprintf(full, sizeof full, "%s/%s", path, name);
        struct stat st;
        if (lstat(full, &st) != 0) fail("lstat %s: %s", full, strerror(errno));
        /* (a directory may be a mount point: its entry names the covered inode on Linux) */
        if (!S_ISDIR(st.st_mode) && e->d_ino != st.st_ino)
            fail("%s: d_ino %lu, stat says %lu", full, (unsigned long)e->d_ino, (unsigned long)st.st_ino);
        if (type != DT_UNKNOWN && e->d_type != type) fail("%s: d_type %d, want %d", full, e->d_type, type);
        found++;
    }
    closedir(d);
    if (found > 1) fail("%s listed %d times in %s", name, found, path);
    return found;
}

int main(int argc, char **argv)
{
    (void)argc;
    start_watchdog(50);
    const char *root[] = { ".", "..", "dev", "tmp" };
    for (size_t i = 0; i < sizeof root / sizeof root[0]; i++)
        if (!listed("/", root[i], DT_DIR)) fail("/ has no %s", root[i]);
    const char *dev[] = { "null", "zero", "tty" };
    for (size_t i = 0; i < sizeof dev / sizeof dev[0]; i++)
        if (!listed("/dev", dev[i], DT_CHR)) fail("/dev has no %s", dev[i]);
    if (on_stickyos()) {
        if (!listed("/", "init", DT_REG)) fail("/ has no init");
        if (!listed("/", basename(argv[0]), DT_REG)) fail("/ does not list this program, %s", argv[0]);
        struct stat st;
        if (stat("/", &st) != 0 || !S_ISDIR(st.st_mode)) fail("stat /");
    }

    char dir[64], file[80];
    snprintf(dir, sizeof dir, "/tmp/files_listing.%d", (int)getpid());
    snprintf(file, sizeof file, "%s/entry", dir);
    if (mkdir(dir, 0755) != 0) fail("mkdir %s: %s", dir, strerror(errno));
    int fd = open(file, O_CREAT | O_WRONLY, 0644);
    if (fd < 0) fail("create %s: %s", file, strerror(errno));
    close(fd);
    char pid[32];
    snprintf(pid, sizeof pid, "files_listing.%d", (int)getpid());
    if (!listed("/tmp", pid, DT_DIR)) fail("/tmp does not list %s", pid);
    if (!listed(dir, "entry", DT_REG)) fail("%s does not list entry", dir);
    if (listed(dir, "missing", DT_UNKNOWN)) fail("a missing entry is listed");
    unlink(file);
    if (listed(dir, "entry", DT_UNKNOWN)) fail("an unlinked entry is still listed");
    if (rmdir(dir) != 0) fail("rmdir: %s", strerror(errno));
    pass();
}
