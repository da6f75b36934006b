/*
 * files_meta - the file calls beyond open/read/write, as Linux answers
 * them on a tmpfs /tmp: hard links (st_nlink, unlink of one name, EEXIST,
 * EPERM for a directory, EXDEV), symlinks (readlink, lstat, dangling),
 * chmod/chown (recorded, stat shows them), utimensat/utimes/utime (times
 * stat returns), statfs/fstatfs (tmpfs magic, read-only root), sendfile and
 * copy_file_range, fadvise, fallocate, flock and fcntl record locks between
 * processes, and named semaphores (sem_open over /dev/shm: link(2)).
 */
// guest: timeout=60
#define GUEST_NAME "files_meta"
#include "guest.h"

#include <fcntl.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <utime.h>

#define BAD_PTR ((void *)16)
#define TMPFS_MAGIC 0x01021994

static char dir[64], a[96], b[96], c[96], s[96];

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("create %s: %s", path, strerror(errno));
    expect_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_links(void)
{
    struct stat st;
    write_file(a, "hello");
    expect_eq(link(a, b), 0);
    expect_eq(stat(a, &st), 0);
    expect_eq(st.st_nlink, 2);
    struct stat st2;
    expect_eq(stat(b, &st2), 0);
    expect_eq(st.st_ino, st2.st_ino);
    expect_eq(link(a, b), -1);
    expect_eq(errno, EEXIST);
    expect_eq(link(dir, c), -1);
    expect_eq(errno, EPERM);
    expect_eq(link("/nonexistent", c), -1);
    expect_eq(errno, ENOENT);
    expect_eq(link(a, "/dev/shm/files_meta_x"), -1);
    expect_eq(errno, EXDEV);
    expect_eq(link(BAD_PTR, c), -1);
    expect_eq(errno, EFAULT);
    expect_eq(unlink(a), 0);
    expect_eq(stat(b, &st), 0);
    expect_eq(st.st_nlink, 1);
    int fd = open(b, O_RDONLY);
    char buf[16] = {0};
    expect_eq(read(fd, buf, sizeof buf), 5);
    expect_eq(strcmp(buf, "hello"), 0);
    close(fd);
    expect_eq(linkat(AT_FDCWD, b, AT_FDCWD, a, 0x12345), -1);
    expect_eq(errno, EINVAL);
    expect_eq(rename(b, a), 0);   /* a again, one name */

    expect_eq(symlink("target-that-is-not-there", s), 0);
    expect_eq(readlink(s, buf, sizeof buf), 16);
    expect_eq(memcmp(buf, "target-that-is-n", 16), 0);
    expect_eq(lstat(s, &st), 0);
    expect_true(S_ISLNK(st.st_mode));
    expect_eq(stat(s, &st), -1);
    expect_eq(errno, ENOENT);
    expect_eq(symlink("x", s), -1);
    expect_eq(errno, EEXIST);
    expect_eq(symlink("", c), -1);
    expect_eq(errno, ENOENT);
    expect_eq(unlink(s), 0);
    expect_eq(symlinkat("files_meta_a", AT_FDCWD, s), -1 + 1);   /* relative to the link's directory */
    fd = open(s, O_RDONLY);
    expect_true(fd >= 0);
    expect_eq(read(fd, buf, sizeof buf), 5);
    close(fd);
    /* link of a symlink links the symlink itself, unless AT_SYMLINK_FOLLOW */
    expect_eq(linkat(AT_FDCWD, s, AT_FDCWD, c, 0), 0);
    expect_eq(lstat(c, &st), 0);
    expect_true(S_ISLNK(st.st_mode));
    expect_eq(unlink(c), 0);
    expect_eq(linkat(AT_FDCWD, s, AT_FDCWD, c, AT_SYMLINK_FOLLOW), 0);
    expect_eq(lstat(c, &st), 0);
    expect_true(S_ISREG(st.st_mode));
    expect_eq(st.st_nlink, 2);
    expect_eq(unlink(c), 0);
    expect_eq(unlink(s), 0);
    printf("files_meta: links ok\n");
}

static void test_modes_and_times(void)
{
    struct stat st;
    expect_eq(chmod(a, 0600), 0);
    expect_eq(stat(a, &st), 0);
    expect_eq(st.st_mode & 07777, 0600);
    int fd = open(a, O_RDONLY);
    expect_eq(fchmod(fd, 04755), 0);
    expect_eq(fstat(fd, &st), 0);
    expect_eq(st.st_mode & 07777, 04755);
    expect_eq(fchown(fd, 123, 456), 0);
    expect_eq(fstat(fd, &st), 0);
    expect_eq(st.st_uid, 123);
    expect_eq(st.st_gid, 456);
    expect_eq(chown(a, -1, 7), 0);
    expect_eq(stat(a, &st), 0);
    expect_eq(st.st_uid, 123);
    expect_eq(st.st_gid, 7);
    expect_eq(lchown(a, 0, 0), 0);
    expect_eq(fchmod(99, 0600), -1);
    expect_eq(errno, EBADF);
    expect_eq(chmod("/nonexistent/x", 0600), -1);
    expect_eq(errno, ENOENT);
    expect_eq(chmod(BAD_PTR, 0600), -1);
    expect_eq(errno, EFAULT);
    expect_eq(fchownat(AT_FDCWD, a, 0, 0, 0x4), -1);
    expect_eq(errno, EINVAL);

    struct timespec ts[2] = { { .tv_sec = 1000000000, .tv_nsec = 123 }, { .tv_sec = 1234567890, .tv_nsec = 456789 } };
    expect_eq(utimensat(AT_FDCWD, a, ts, 0), 0);
    expect_eq(stat(a, &st), 0);
    expect_eq(st.st_atim.tv_sec, 1000000000);
    expect_eq(st.st_atim.tv_nsec, 123);
    expect_eq(st.st_mtim.tv_sec, 1234567890);
    expect_eq(st.st_mtim.tv_nsec, 456789);
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_nsec = UTIME_NOW;
    expect_eq(futimens(fd, ts), 0);
    expect_eq(fstat(fd, &st), 0);
    expect_eq(st.st_atim.tv_sec, 1000000000);
    expect_true(st.st_mtim.tv_sec > 1600000000);
    ts[0].tv_nsec = 1000000000;
    expect_eq(utimensat(AT_FDCWD, a, ts, 0), -1);
    expect_eq(errno, EINVAL);
    expect_eq(syscall(SYS_utimensat, AT_FDCWD, a, BAD_PTR, 0), -1);
    expect_eq(errno, EFAULT);
    expect_eq(utimensat(AT_FDCWD, a, NULL, 0x8000), -1);
    expect_eq(errno, EINVAL);
    struct timeval tv[2] = { { .tv_sec = 5, .tv_usec = 6 }, { .tv_sec = 7, .tv_usec = 8 } };
    expect_eq(utimes(a, tv), 0);
    expect_eq(stat(a, &st), 0);
    expect_eq(st.st_atim.tv_sec, 5);
    expect_eq(st.st_atim.tv_nsec, 6000);
    expect_eq(st.st_mtim.tv_sec, 7);
    struct utimbuf u = { .actime = 11, .modtime = 12 };
    expect_eq(utime(a, &u), 0);
    expect_eq(stat(a, &st), 0);
    expect_eq(st.st_atime, 11);
    expect_eq(st.st_mtime, 12);
    expect_eq(utime(a, NULL), 0);
    expect_eq(stat(a, &st), 0);
    expect_true(st.st_mtime > 1600000000);
    close(fd);
    printf("files_meta: modes, owners and times ok\n");
}

static void test_statfs_and_copies(void)
{
    struct statfs sf;
    expect_eq(statfs("/dev/shm", &sf), 0);   /* tmpfs on Linux too (a host's /tmp may be another file system) */
    expect_eq(sf.f_type, TMPFS_MAGIC);
    expect_true(sf.f_bsize == 4096 && sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks && sf.f_namelen == 255);
    int fd = open(a, O_RDWR);
    struct statfs sf2;
    expect_eq(fstatfs(fd, &sf2), 0);
    expect_eq(statfs(dir, &sf), 0);
    expect_eq(sf2.f_type, sf.f_type);
    expect_eq(statfs("/nonexistent", &sf), -1);
    expect_eq(errno, ENOENT);
    expect_eq(syscall(SYS_statfs, "/tmp", BAD_PTR), -1);
    expect_eq(errno, EFAULT);
    expect_eq(fstatfs(99, &sf), -1);
    expect_eq(errno, EBADF);

    write_file(a, "0123456789");
    int out = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open(a, O_RDONLY);
    off_t off = 2;
    expect_eq(sendfile(out, in, &off, 5), 5);
    expect_eq(off, 7);
    expect_eq(lseek(in, 0, SEEK_CUR), 0);   /* with an offset, the position stays */
    expect_eq(sendfile(out, in, NULL, 100), 10);
    expect_eq(lseek(in, 0, SEEK_CUR), 10);
    struct stat st;
    expect_eq(fstat(out, &st), 0);
    expect_eq(st.st_size, 15);
    expect_eq(sendfile(in, out, NULL, 1), -1);   /* out not open for reading */
    expect_eq(errno, EBADF);
    int p[2];
    expect_eq(pipe(p), 0);
    expect_eq(sendfile(out, p[0], NULL, 1), -1);
    expect_eq(errno, EINVAL);
    off = 0;
    expect_eq(sendfile(p[1], in, &off, 4), 4);
    char buf[16] = {0};
    expect_eq(read(p[0], buf, sizeof buf), 4);
    expect_eq(strcmp(buf, "0123"), 0);
    expect_eq(posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
    expect_eq(posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
    expect_eq(posix_fadvise(in, 0, 0, 99), EINVAL);
    close(p[0]);
    close(p[1]);

    loff_t ioff = 0, ooff = 20;
    expect_eq(syscall(SYS_copy_file_range, in, &ioff, out, &ooff, 3, 0), 3);
    expect_eq(ooff, 23);
    expect_eq(syscall(SYS_copy_file_range, in, &ioff, out, &ooff, 3, 1), -1);
    expect_eq(errno, EINVAL);
    expect_eq(fstat(out, &st), 0);
    expect_eq(st.st_size, 23);

    expect_eq(fallocate(fd, 0, 0, 8192), 0);
    expect_eq(fstat(fd, &st), 0);
    expect_eq(st.st_size, 8192);
    expect_eq(fallocate(fd, 1 /* KEEP_SIZE */, 0, 100000), 0);
    expect_eq(fstat(fd, &st), 0);
    expect_eq(st.st_size, 8192);
    expect_eq(fallocate(fd, 0, -1, 10), -1);
    expect_eq(errno, EINVAL);
    expect_eq(fallocate(in, 0, 0, 10), -1);
    expect_eq(errno, EBADF);
    close(in);
    close(out);
    close(fd);
    expect_eq(unlink(b), 0);
    printf("files_meta: statfs, sendfile, copy_file_range, fallocate ok\n");
}

static void test_locks(void)
{
    int fd = open(a, O_RDWR);
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
    expect_eq(fcntl(fd, F_SETLK, &fl), 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct flock t = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
        if (fcntl(fd, F_SETLK, &t) != -1 || (errno != EAGAIN && errno != EACCES)) _exit(1);
        t.l_type = F_WRLCK; t.l_start = 0; t.l_len = 0;
        if (fcntl(fd, F_GETLK, &t) != 0 || t.l_type != F_WRLCK || t.l_pid != getppid() || t.l_start != 0 || t.l_len != 10) _exit(2);
        t.l_type = F_WRLCK; t.l_start = 10; t.l_len = 5;
        if (fcntl(fd, F_SETLK, &t) != 0) _exit(3);   /* past the parent's range */
        /* a blocking lock waits until the parent lets go */
        t.l_start = 0; t.l_len = 1;
        if (fcntl(fd, F_SETLKW, &t) != 0) _exit(4);
        _exit(0);
    }
    usleep(50000);
    fl.l_type = F_UNLCK;
    expect_eq(fcntl(fd, F_SETLK, &fl), 0);
    int status;
    expect_eq(waitpid(pid, &status, 0), pid);
    if (status != 0) fail("record-lock child failed at step %d", WEXITSTATUS(status));
    /* the child's locks went with it */
    fl.l_type = F_WRLCK; fl.l_start = 0; fl.l_len = 0;
    expect_eq(fcntl(fd, F_GETLK, &fl), 0);
    expect_eq(fl.l_type, F_UNLCK);
    fl.l_type = 7;
    expect_eq(fcntl(fd, F_SETLK, &fl), -1);
    expect_eq(errno, EINVAL);
    expect_eq(fcntl(fd, F_SETLK, BAD_PTR), -1);
    expect_eq(errno, EFAULT);

    /* flock: owned by the open file; another open of the file conflicts, a dup does not */
    int other = open(a, O_RDONLY);
    expect_eq(flock(fd, LOCK_EX), 0);
    expect_eq(flock(other, LOCK_SH | LOCK_NB), -1);
    expect_eq(errno, EWOULDBLOCK);
    int dupped = dup(fd);
    expect_eq(flock(dupped, LOCK_EX | LOCK_NB), 0);
    close(dupped);
    close(fd);   /* the last descriptor of that open file: its lock goes */
    expect_eq(flock(other, LOCK_SH | LOCK_NB), 0);
    expect_eq(flock(other, LOCK_UN), 0);
    expect_eq(flock(99, LOCK_SH), -1);
    expect_eq(errno, EBADF);
    close(other);
    printf("files_meta: locks ok\n");
}

static void test_named_semaphores(void)
{
    char name[32];
    snprintf(name, sizeof name, "/files_meta.%d", (int)getpid());
    sem_t *sem = sem_open(name, O_CREAT | O_EXCL, 0600, 1);
    if (sem == SEM_FAILED) fail("sem_open: %s", strerror(errno));
    expect_eq(sem_open(name, O_CREAT | O_EXCL, 0600, 1) == SEM_FAILED, 1);
    expect_eq(errno, EEXIST);
    pid_t pid = fork();
    if (pid == 0) {
        sem_t *s2 = sem_open(name, 0);
        if (s2 == SEM_FAILED) _exit(1);
        if (sem_wait(s2) != 0) _exit(2);
        if (sem_post(s2) != 0) _exit(3);
        _exit(0);
    }
    int status;
    expect_eq(waitpid(pid, &status, 0), pid);
    expect_eq(status, 0);
    int v = -1;
    expect_eq(sem_getvalue(sem, &v), 0);
    expect_eq(v, 1);
    expect_eq(sem_close(sem), 0);
    expect_eq(sem_unlink(name), 0);
    expect_eq(sem_unlink(name), -1);
    expect_eq(errno, ENOENT);
    printf("files_meta: named semaphores ok\n");
}

int main(void)
{
    start_watchdog(50);
    snprintf(dir, sizeof dir, "/tmp/files_meta.%d", (int)getpid());
    expect_eq(mkdir(dir, 0755), 0);
    expect_eq(chdir(dir), 0);
    snprintf(a, sizeof a, "%s/files_meta_a", dir);
    snprintf(b, sizeof b, "%s/files_meta_b", dir);
    snprintf(c, sizeof c, "%s/files_meta_c", dir);
    snprintf(s, sizeof s, "%s/files_meta_s", dir);
    test_links();
    test_modes_and_times();
    test_statfs_and_copies();
    test_locks();
    test_named_semaphores();
    expect_eq(unlink(a), 0);
    expect_eq(chdir("/"), 0);
    expect_eq(rmdir(dir), 0);
    pass();
}
