/*
 * files_calls - every file call with good and bad paths, descriptors and
 * flags, through raw syscalls, with Linux's errnos. Runs in a private
 * directory under /tmp (a RAM file system on stickyos) and removes it, so
 * nothing is left behind for the leak check. Checks that need a read-only
 * file system use "/" on stickyos (the initramfs); natively they are skipped.
 */
// guest: timeout=60
#define GUEST_NAME "files_calls"
#include "guest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define RENAME_NOREPLACE 1
#define BAD ((void *)1)

static int nbad;

/* A raw syscall: its result, or -errno. */
static long sys(long nr, long a, long b, long c, long d, long e)
{
    long r = syscall(nr, a, b, c, d, e);
    return r == -1 ? -errno : r;
}
#define S(nr, ...) sys(nr, ##__VA_ARGS__, 0, 0, 0, 0, 0)
#define S1(nr, a) sys(nr, (long)(a), 0, 0, 0, 0)
#define S2(nr, a, b) sys(nr, (long)(a), (long)(b), 0, 0, 0)
#define S3(nr, a, b, c) sys(nr, (long)(a), (long)(b), (long)(c), 0, 0)
#define S4(nr, a, b, c, d) sys(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0)
#define S5(nr, a, b, c, d, e) sys(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

static void check(const char *what, long got, long want)
{
    if (got == want) return;
    nbad++;
    printf("BAD %s: got %ld (%s), want %ld (%s)\n", what, got, got < 0 ? strerror((int)-got) : "ok", want,
           want < 0 ? strerror((int)-want) : "ok");
}
#define CHECK(call, want) check(#call, (call), (want))
#define OK(call) ({ long _r = (call); if (_r < 0) { nbad++; printf("BAD %s: %s\n", #call, strerror((int)-_r)); } _r; })

static int on_stickyos(void)
{
    struct utsname u;
    return uname(&u) == 0 && strcmp(u.sysname, "stickyos") == 0;
}

static char dir[64];
static char *at(const char *name)
{
    static char buf[4][128];
    static int i;
    char *b = buf[i++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static void reads_and_writes(void)
{
    char buf[64];
    int fd = (int)OK(S4(SYS_openat, AT_FDCWD, at("f"), O_CREAT | O_EXCL | O_RDWR, 0640));
    CHECK(S3(SYS_write, fd, "hello world", 11), 11);
    CHECK(S3(SYS_lseek, fd, 0, SEEK_CUR), 11);
    CHECK(S3(SYS_lseek, fd, 0, SEEK_SET), 0);
    memset(buf, 0, sizeof buf);
    CHECK(S3(SYS_read, fd, buf, sizeof buf), 11);
    expect_true(memcmp(buf, "hello world", 11) == 0);
    CHECK(S3(SYS_read, fd, buf, sizeof buf), 0);                          /* end of file */
    CHECK(S4(SYS_pread64, fd, buf, 5, 6), 5);
    expect_true(memcmp(buf, "world", 5) == 0);
    CHECK(S4(SYS_pwrite64, fd, "HELLO", 5, 0), 5);
    CHECK(S3(SYS_lseek, fd, 0, SEEK_CUR), 11);                            /* pread/pwrite leave the position */
    CHECK(S3(SYS_lseek, fd, -5, SEEK_END), 6);
    CHECK(S3(SYS_read, fd, buf, 5), 5);
    expect_true(memcmp(buf, "world", 5) == 0);

    struct stat st;
    OK(S2(SYS_fstat, fd, &st));
    expect_eq(st.st_size, 11);
    expect_eq(st.st_mode, S_IFREG | 0640);
    expect_eq(st.st_nlink, 1);
    struct stat st2;
    OK(S4(SYS_newfstatat, AT_FDCWD, at("f"), &st2, 0));
    expect_eq(st2.st_ino, st.st_ino);
    expect_eq(st2.st_dev, st.st_dev);
    OK(S4(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH));                   /* glibc's fstat */
    expect_eq(st2.st_ino, st.st_ino);

    /* A hole past the end reads as zeros; truncation shortens and lengthens. */
    CHECK(S3(SYS_lseek, fd, 20000, SEEK_SET), 20000);
    CHECK(S3(SYS_write, fd, "!", 1), 1);
    OK(S2(SYS_fstat, fd, &st));
    expect_eq(st.st_size, 20001);
    CHECK(S4(SYS_pread64, fd, buf, 4, 100), 4);
    expect_true(buf[0] == 0 && buf[3] == 0);
    CHECK(S2(SYS_ftruncate, fd, 8), 0);
    CHECK(S2(SYS_ftruncate, fd, 16), 0);
    CHECK(S4(SYS_pread64, fd, buf, 64, 0), 16);
    expect_true(memcmp(buf, "HELLO wo\0\0\0\0\0\0\0\0", 16) == 0);
    CHECK(S2(SYS_truncate, at("f"), 5), 0);
    CHECK(S2(SYS_fstat, fd, &st), 0);
    expect_eq(st.st_size, 5);

    /* O_APPEND writes go to the end whatever the position. */
    int ap = (int)OK(S3(SYS_open, at("f"), O_WRONLY | O_APPEND, 0));
    CHECK(S3(SYS_lseek, ap, 0, SEEK_SET), 0);
    CHECK(S3(SYS_write, ap, "++", 2), 2);
    CHECK(S3(SYS_lseek, ap, 0, SEEK_CUR), 7);
    CHECK(S4(SYS_pwrite64, ap, "@@", 2, 0), 2);                          /* O_APPEND wins over the offset, as Linux */
    OK(S2(SYS_fstat, ap, &st));
    expect_eq(st.st_size, 9);
    CHECK(S3(SYS_lseek, ap, 0, SEEK_CUR), 7);
    CHECK(S1(SYS_close, ap), 0);

    /* dup shares the position; dup2 replaces; dup3 sets close-on-exec. */
    int d = (int)OK(S1(SYS_dup, fd));
    CHECK(S3(SYS_lseek, fd, 3, SEEK_SET), 3);
    CHECK(S3(SYS_lseek, d, 0, SEEK_CUR), 3);
    CHECK(S2(SYS_dup2, fd, 40), 40);
    CHECK(S2(SYS_dup2, 40, 40), 40);
    CHECK(S3(SYS_fcntl, 40, F_GETFD, 0), 0);
    CHECK(S3(SYS_dup3, fd, 41, O_CLOEXEC), 41);
    CHECK(S3(SYS_fcntl, 41, F_GETFD, 0), FD_CLOEXEC);
    CHECK(S3(SYS_fcntl, 41, F_SETFD, 0), 0);
    CHECK(S3(SYS_fcntl, 41, F_GETFD, 0), 0);
    CHECK(S3(SYS_fcntl, fd, F_DUPFD, 30), 30);
    CHECK(S3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 30), 31);
    CHECK(S3(SYS_fcntl, 31, F_GETFD, 0), FD_CLOEXEC);
    CHECK(S3(SYS_fcntl, fd, F_GETFL, 0) & (O_ACCMODE | O_APPEND), O_RDWR);
    CHECK(S3(SYS_fcntl, fd, F_SETFL, O_APPEND), 0);
    CHECK(S3(SYS_fcntl, d, F_GETFL, 0) & (O_ACCMODE | O_APPEND), O_RDWR | O_APPEND);   /* shared description */
    for (int i = 30; i <= 41; i++) syscall(SYS_close, i);
    CHECK(S1(SYS_close, d), 0);

    /* Errors on descriptors. */
    int ro = (int)OK(S3(SYS_open, at("f"), O_RDONLY, 0));
    CHECK(S3(SYS_write, ro, "x", 1), -EBADF);
    CHECK(S2(SYS_ftruncate, ro, 0), -EINVAL);
    CHECK(S2(SYS_ftruncate, fd, -1), -EINVAL);
    int wo = (int)OK(S3(SYS_open, at("f"), O_WRONLY, 0));
    CHECK(S3(SYS_read, wo, buf, 1), -EBADF);
    CHECK(S3(SYS_lseek, fd, -1, SEEK_SET), -EINVAL);
    CHECK(S3(SYS_lseek, fd, 0, 7), -EINVAL);
    CHECK(S4(SYS_pread64, fd, buf, 1, -1), -EINVAL);
    CHECK(S3(SYS_read, fd, BAD, 1), -EFAULT);
    CHECK(S1(SYS_dup, 99), -EBADF);
    CHECK(S2(SYS_dup2, 99, 5), -EBADF);
    CHECK(S2(SYS_dup2, fd, -1), -EBADF);
    CHECK(S2(SYS_dup2, fd, 100000), -EBADF);
    CHECK(S3(SYS_dup3, fd, fd, 0), -EINVAL);
    CHECK(S3(SYS_dup3, fd, 42, 1), -EINVAL);
    CHECK(S3(SYS_fcntl, 99, F_GETFD, 0), -EBADF);
    CHECK(S3(SYS_fcntl, fd, 9999, 0), -EINVAL);
    CHECK(S3(SYS_fcntl, fd, F_DUPFD, -1), -EINVAL);
    CHECK(S3(SYS_fcntl, fd, F_DUPFD, 100000), -EINVAL);
    CHECK(S2(SYS_fstat, 99, &st), -EBADF);
    CHECK(S2(SYS_fstat, fd, BAD), -EFAULT);
    int p[2];
    OK(S2(SYS_pipe2, p, 0));
    CHECK(S3(SYS_lseek, p[0], 0, SEEK_SET), -ESPIPE);
    CHECK(S4(SYS_pread64, p[0], buf, 1, 0), -ESPIPE);
    CHECK(S4(SYS_pwrite64, p[1], buf, 1, 0), -ESPIPE);
    CHECK(S2(SYS_ftruncate, p[1], 0), -EINVAL);
    OK(S2(SYS_fstat, p[0], &st));
    expect_true(S_ISFIFO(st.st_mode));
    for (int i = 0; i < 2; i++) syscall(SYS_close, p[i]);
    syscall(SYS_close, ro);
    syscall(SYS_close, wo);
    CHECK(S1(SYS_close, fd), 0);
    CHECK(S1(SYS_close, fd), -EBADF);
    CHECK(S1(SYS_unlink, at("f")), 0);
}

static void opens(void)
{
    char name[300];
    CHECK(S3(SYS_open, at("missing"), O_RDONLY, 0), -ENOENT);
    CHECK(S3(SYS_open, at("missing/x"), O_RDONLY, 0), -ENOENT);
    CHECK(S3(SYS_open, "", O_RDONLY, 0), -ENOENT);
    CHECK(S3(SYS_open, BAD, O_RDONLY, 0), -EFAULT);
    memset(name, 'a', sizeof name);
    name[0] = '/';
    name[sizeof name - 1] = 0;
    CHECK(S3(SYS_open, name, O_RDONLY, 0), -ENAMETOOLONG);
    int fd = (int)OK(S3(SYS_open, at("g"), O_CREAT | O_WRONLY, 0600));
    CHECK(S3(SYS_open, at("g"), O_CREAT | O_EXCL | O_WRONLY, 0600), -EEXIST);
    CHECK(S3(SYS_open, at("g/x"), O_RDONLY, 0), -ENOTDIR);
    CHECK(S3(SYS_open, at("g/"), O_RDONLY, 0), -ENOTDIR);
    CHECK(S3(SYS_open, at("g"), O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
    CHECK(S3(SYS_open, dir, O_WRONLY, 0), -EISDIR);
    CHECK(S3(SYS_open, dir, O_RDWR, 0), -EISDIR);
    CHECK(S3(SYS_open, at("new/"), O_CREAT | O_WRONLY, 0600), -EISDIR);
    CHECK(S4(SYS_openat, 99, "g", O_RDONLY, 0), -EBADF);
    CHECK(S4(SYS_openat, fd, "g", O_RDONLY, 0), -ENOTDIR);
    int dfd = (int)OK(S3(SYS_open, dir, O_RDONLY | O_DIRECTORY, 0));
    int g = (int)OK(S4(SYS_openat, dfd, "g", O_RDONLY, 0));                /* relative to a directory fd */
    syscall(SYS_close, g);
    g = (int)OK(S4(SYS_openat, 99, at("g"), O_RDONLY, 0));                  /* an absolute path ignores dirfd */
    syscall(SYS_close, g);
    char buf[8];
    CHECK(S3(SYS_read, dfd, buf, sizeof buf), -EISDIR);
    struct stat st;
    OK(S2(SYS_fstat, dfd, &st));
    expect_true(S_ISDIR(st.st_mode));
    CHECK(S3(SYS_write, fd, "data", 4), 4);
    int t = (int)OK(S3(SYS_open, at("g"), O_WRONLY | O_TRUNC, 0));       /* O_TRUNC empties it */
    OK(S2(SYS_fstat, t, &st));
    expect_eq(st.st_size, 0);
    syscall(SYS_close, t);
    syscall(SYS_close, dfd);
    for (int i = 3; i < 64; i++) if (i != fd) syscall(SYS_close, i);

    /* umask applies to the mode of a new file; creat is O_CREAT|O_WRONLY|O_TRUNC. */
    long old = S1(SYS_umask, 077);
    int c = (int)OK(S2(SYS_creat, at("h"), 0666));
    OK(S2(SYS_fstat, c, &st));
    expect_eq(st.st_mode, S_IFREG | 0600);
    CHECK(S3(SYS_read, c, buf, 1), -EBADF);
    CHECK(S1(SYS_umask, old), 077);
    syscall(SYS_close, c);
    syscall(SYS_close, fd);

    /* access */
    CHECK(S2(SYS_access, at("g"), F_OK), 0);
    CHECK(S2(SYS_access, at("g"), R_OK | W_OK), 0);
    CHECK(S2(SYS_access, at("g"), X_OK), -EACCES);
    CHECK(S2(SYS_access, dir, X_OK), 0);
    CHECK(S2(SYS_access, at("missing"), F_OK), -ENOENT);
    CHECK(S2(SYS_access, at("g"), 8), -EINVAL);
    CHECK(S4(SYS_faccessat, AT_FDCWD, at("g"), R_OK, 0), 0);
    CHECK(S1(SYS_unlink, at("g")), 0);
    CHECK(S1(SYS_unlink, at("h")), 0);
}

/* Directory entries of `path` as "name,name,..." (sorted by the caller's expectations: any order). */
static int has_entry(const char *path, const char *want)
{
    char buf[2048];
    int fd = (int)S3(SYS_open, path, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return 0;
    int found = 0;
    long n;
    while ((n = S3(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct dirent *d = (struct dirent *)(buf + off);
            if (strcmp(d->d_name, want) == 0) found = 1;
            off += d->d_reclen;
        }
    }
    syscall(SYS_close, fd);
    return found;
}

static void directories(void)
{
    char cwd[256];
    CHECK(S2(SYS_mkdir, at("d"), 0755), 0);
    CHECK(S2(SYS_mkdir, at("d"), 0755), -EEXIST);
    CHECK(S2(SYS_mkdir, at("d/."), 0755), -EEXIST);
    CHECK(S2(SYS_mkdir, at("no/d"), 0755), -ENOENT);
    CHECK(S2(SYS_mkdir, BAD, 0755), -EFAULT);
    CHECK(S3(SYS_mkdirat, AT_FDCWD, at("d/e"), 0700), 0);
    struct stat st;
    OK(S2(SYS_stat, at("d/e"), &st));
    expect_eq(st.st_mode, S_IFDIR | 0700);
    OK(S2(SYS_stat, at("d"), &st));
    expect_eq(st.st_nlink, 3);                                          /* ".", its entry, "e/.." */
    int f = (int)OK(S3(SYS_open, at("d/file"), O_CREAT | O_WRONLY, 0644));
    syscall(SYS_close, f);

    CHECK(S1(SYS_rmdir, at("d")), -ENOTEMPTY);
    CHECK(S1(SYS_rmdir, at("d/file")), -ENOTDIR);
    CHECK(S1(SYS_rmdir, at("d/.")), -EINVAL);
    CHECK(S1(SYS_rmdir, at("d/missing")), -ENOENT);
    CHECK(S1(SYS_unlink, at("d")), -EISDIR);
    CHECK(S1(SYS_unlink, at("d/missing")), -ENOENT);
    CHECK(S1(SYS_unlink, at("d/file/")), -ENOTDIR);
    CHECK(S3(SYS_unlinkat, AT_FDCWD, at("d/file"), 1), -EINVAL);

    /* rename */
    CHECK(S2(SYS_rename, at("d/missing"), at("d/x")), -ENOENT);
    CHECK(S2(SYS_rename, at("d/file"), at("d/e")), -EISDIR);
    CHECK(S2(SYS_rename, at("d/e"), at("d/file")), -ENOTDIR);
    CHECK(S2(SYS_rename, at("d"), at("d/e/inside")), -EINVAL);
    CHECK(S2(SYS_rename, at("d/file"), at("d/file")), 0);
    CHECK(S2(SYS_rename, at("d/file"), at("d/renamed")), 0);
    CHECK(S2(SYS_access, at("d/file"), F_OK), -ENOENT);
    CHECK(S2(SYS_access, at("d/renamed"), F_OK), 0);
    f = (int)OK(S3(SYS_open, at("d/other"), O_CREAT | O_WRONLY, 0644));
    syscall(SYS_close, f);
    CHECK(S5(SYS_renameat2, AT_FDCWD, at("d/renamed"), AT_FDCWD, at("d/other"), RENAME_NOREPLACE), -EEXIST);
    CHECK(S4(SYS_renameat, AT_FDCWD, at("d/renamed"), AT_FDCWD, at("d/other")), 0);   /* replaces */
    CHECK(S2(SYS_access, at("d/renamed"), F_OK), -ENOENT);
    CHECK(S2(SYS_mkdir, at("d2"), 0755), 0);
    f = (int)OK(S3(SYS_open, at("d2/keep"), O_CREAT | O_WRONLY, 0644));
    syscall(SYS_close, f);
    CHECK(S2(SYS_rename, at("d/e"), at("d2")), -ENOTEMPTY);
    CHECK(S2(SYS_rename, at("d/other"), at("d2/moved")), 0);
    expect_true(has_entry(at("d2"), "moved") && has_entry(at("d2"), "keep"));
    expect_true(has_entry(at("d"), ".") && has_entry(at("d"), "..") && has_entry(at("d"), "e"));
    expect_true(!has_entry(at("d"), "other"));

    /* getdents64 errors */
    char small[8];
    int df = (int)OK(S3(SYS_open, at("d"), O_RDONLY | O_DIRECTORY, 0));
    CHECK(S3(SYS_getdents64, df, small, sizeof small), -EINVAL);
    CHECK(S3(SYS_getdents64, df, BAD, 4096), -EFAULT);
    CHECK(S3(SYS_getdents64, 99, small, sizeof small), -EBADF);
    int ff = (int)OK(S3(SYS_open, at("d2/keep"), O_RDONLY, 0));
    CHECK(S3(SYS_getdents64, ff, small, sizeof small), -ENOTDIR);
    syscall(SYS_close, ff);

    /* working directory */
    char saved[256];
    OK(S2(SYS_getcwd, saved, sizeof saved));
    CHECK(S1(SYS_chdir, at("d2")), 0);
    long n = OK(S2(SYS_getcwd, cwd, sizeof cwd));
    expect_eq(n, (long)strlen(at("d2")) + 1);                          /* the raw call counts the NUL */
    expect_true(strcmp(cwd, at("d2")) == 0);
    CHECK(S2(SYS_access, "keep", F_OK), 0);                             /* relative to the new cwd */
    CHECK(S2(SYS_getcwd, cwd, 3), -ERANGE);
    CHECK(S2(SYS_getcwd, BAD, sizeof cwd), -EFAULT);
    CHECK(S1(SYS_chdir, "keep"), -ENOTDIR);
    CHECK(S1(SYS_chdir, "missing"), -ENOENT);
    CHECK(S1(SYS_fchdir, df), 0);
    OK(S2(SYS_getcwd, cwd, sizeof cwd));
    expect_true(strcmp(cwd, at("d")) == 0);
    CHECK(S1(SYS_chdir, ".."), 0);
    OK(S2(SYS_getcwd, cwd, sizeof cwd));
    expect_true(strcmp(cwd, dir) == 0);
    CHECK(S1(SYS_fchdir, 99), -EBADF);
    int keep = (int)OK(S3(SYS_open, at("d2/keep"), O_RDONLY, 0));
    CHECK(S1(SYS_fchdir, keep), -ENOTDIR);
    syscall(SYS_close, keep);
    CHECK(S1(SYS_chdir, saved), 0);
    syscall(SYS_close, df);

    /* readlink of what is not a link */
    CHECK(S3(SYS_readlink, at("d2"), cwd, sizeof cwd), -EINVAL);
    CHECK(S3(SYS_readlink, at("missing"), cwd, sizeof cwd), -ENOENT);
    CHECK(S4(SYS_readlinkat, AT_FDCWD, at("d2"), cwd, 0), -EINVAL);

    CHECK(S1(SYS_unlink, at("d2/keep")), 0);
    CHECK(S1(SYS_unlink, at("d2/moved")), 0);
    CHECK(S1(SYS_rmdir, at("d2")), 0);
    CHECK(S1(SYS_rmdir, at("d/e")), 0);
    CHECK(S3(SYS_unlinkat, AT_FDCWD, at("d"), AT_REMOVEDIR), 0);
}

static void devices(void)
{
    char buf[16];
    int n = (int)OK(S3(SYS_open, "/dev/null", O_RDWR, 0));
    CHECK(S3(SYS_read, n, buf, sizeof buf), 0);
    CHECK(S3(SYS_write, n, "discard", 7), 7);
    CHECK(S3(SYS_lseek, n, 100, SEEK_SET), 0);
    struct stat st;
    OK(S2(SYS_fstat, n, &st));
    expect_true(S_ISCHR(st.st_mode));
    expect_eq(st.st_rdev, (1 << 8) | 3);
    syscall(SYS_close, n);
    int z = (int)OK(S3(SYS_open, "/dev/zero", O_RDONLY, 0));
    memset(buf, 'x', sizeof buf);
    CHECK(S3(SYS_read, z, buf, sizeof buf), sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++) expect_eq(buf[i], 0);
    syscall(SYS_close, z);
    int full = (int)OK(S3(SYS_open, "/dev/full", O_WRONLY, 0));
    CHECK(S3(SYS_write, full, "x", 1), -ENOSPC);
    syscall(SYS_close, full);
}

/* The initramfs is read-only (stickyos only: natively "/" is writable by root). */
static void read_only_root(void)
{
    if (!on_stickyos()) { printf("files_calls: not on stickyos, skipping the read-only root\n"); return; }
    CHECK(S3(SYS_open, "/new-file", O_CREAT | O_WRONLY, 0644), -EROFS);
    CHECK(S2(SYS_mkdir, "/new-dir", 0755), -EROFS);
    CHECK(S3(SYS_open, "/init", O_WRONLY, 0), -EROFS);
    CHECK(S3(SYS_open, "/init", O_RDONLY | O_TRUNC, 0), -EROFS);
    CHECK(S1(SYS_unlink, "/init"), -EROFS);
    CHECK(S2(SYS_rename, "/init", "/init2"), -EROFS);
    CHECK(S1(SYS_rmdir, "/tmp"), -EBUSY);                               /* a mount point */
    CHECK(S2(SYS_rename, "/init", "/tmp/init"), -EXDEV);
    CHECK(S2(SYS_access, "/init", W_OK), -EROFS);
    CHECK(S2(SYS_access, "/init", X_OK), 0);
    CHECK(S2(SYS_truncate, "/init", 0), -EROFS);
}

int main(void)
{
    start_watchdog(50);
    snprintf(dir, sizeof dir, "/tmp/files_calls.%d", (int)getpid());
    if (S2(SYS_mkdir, dir, 0755) != 0)
        fail("mkdir %s: %s", dir, strerror(errno));
    reads_and_writes();
    opens();
    directories();
    devices();
    read_only_root();
    CHECK(S1(SYS_rmdir, dir), 0);
    if (nbad)
        fail("%d checks failed", nbad);
    pass();
}
