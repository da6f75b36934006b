// guest: timeout=60
/*
 * sysv_ipc - System V semaphores and message queues as libc tests use
 * them. Semaphores: semget (keys, IPC_EXCL, nsems), SETVAL/GETVAL/SETALL/
 * GETALL/GETPID, IPC_STAT's sem_nsems, a semop of several operations that
 * applies all or none, IPC_NOWAIT (EAGAIN), semtimedop's timeout (EAGAIN),
 * a waiter in another process woken by a V (GETNCNT counts it), waiting for
 * zero (GETZCNT), SEM_UNDO undone at exit, EFBIG, ERANGE, EIDRM for a
 * sleeper whose set is removed, EINTR for a handled signal. Message queues:
 * msgsnd/msgrcv by type (0, exact, MSG_EXCEPT, lowest up to -type),
 * E2BIG and MSG_NOERROR, ENOMSG with IPC_NOWAIT, a receiver in another
 * process, IPC_STAT's counts, IPC_SET's msg_qbytes making a sender wait,
 * EIDRM. Everything is removed at the end (the runner's accounting).
 */
#define GUEST_NAME "sysv_ipc"
#include "guest.h"

#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };

struct msg { long type; char text[64]; };

static void on_usr1(int s) { (void)s; }

int main(void)
{
    start_watchdog(50);
    key_t key = 0x53e0000 + getpid();

    /* ---- semaphores ---- */
    int id = semget(key, 3, IPC_CREAT | 0600);
    expect_true(id >= 0);
    expect_eq(semget(key, 3, IPC_CREAT | IPC_EXCL | 0600), -1);
    expect_eq(errno, EEXIST);
    expect_eq(semget(key, 4, 0600), -1);
    expect_eq(errno, EINVAL);
    expect_eq(semget(key, 2, 0600), id);
    struct semid_ds ds;
    union semun arg = { .buf = &ds };
    expect_eq(semctl(id, 0, IPC_STAT, arg), 0);
    expect_eq(ds.sem_nsems, 3);
    arg.val = 5;
    expect_eq(semctl(id, 1, SETVAL, arg), 0);
    expect_eq(semctl(id, 1, GETVAL), 5);
    expect_eq(semctl(id, 1, GETPID), getpid());
    unsigned short vals[3] = { 1, 2, 3 }, got[3];
    arg.array = vals;
    expect_eq(semctl(id, 0, SETALL, arg), 0);
    arg.array = got;
    expect_eq(semctl(id, 0, GETALL, arg), 0);
    expect_true(got[0] == 1 && got[1] == 2 && got[2] == 3);
    /* All or nothing: the second op cannot go, so the first does not either. */
    struct sembuf two[2] = { { 0, -1, IPC_NOWAIT }, { 1, -5, IPC_NOWAIT } };
    expect_eq(semop(id, two, 2), -1);
    expect_eq(errno, EAGAIN);
    expect_eq(semctl(id, 0, GETVAL), 1);
    two[1].sem_op = -2;
    expect_eq(semop(id, two, 2), 0);
    expect_eq(semctl(id, 0, GETVAL), 0);
    expect_eq(semctl(id, 1, GETVAL), 0);
    struct sembuf bad = { 7, 1, 0 };
    expect_eq(semop(id, &bad, 1), -1);
    expect_eq(errno, EFBIG);
    arg.val = 40000;
    expect_eq(semctl(id, 0, SETVAL, arg), -1);
    expect_eq(errno, ERANGE);
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    struct sembuf p0 = { 0, -1, 0 };
    expect_eq(semtimedop(id, &p0, 1, &ts), -1);
    expect_eq(errno, EAGAIN);
    printf("%s: sem: SETVAL/GETVAL/SETALL/GETALL, all-or-nothing, EAGAIN, EFBIG, ERANGE, timeout\n", GUEST_NAME);

    /* A P in a child, a V in the parent. */
    pid_t pid = fork();
    if (pid == 0) {
        struct sembuf p = { 0, -1, 0 };
        _exit(semop(id, &p, 1) == 0 ? 0 : 1);
    }
    uint64_t t0 = now_ns();
    while (semctl(id, 0, GETNCNT) != 1 && ms_since(t0) < 3000)
        sleep_ms(5);
    expect_eq(semctl(id, 0, GETNCNT), 1);
    struct sembuf v = { 0, 1, 0 };
    expect_eq(semop(id, &v, 1), 0);
    expect_eq(reap(pid, "P child"), 0);
    expect_eq(semctl(id, 0, GETVAL), 0);
    /* Waiting for zero. */
    arg.val = 1;
    semctl(id, 2, SETVAL, arg);
    pid = fork();
    if (pid == 0) {
        struct sembuf z = { 2, 0, 0 };
        _exit(semop(id, &z, 1) == 0 ? 0 : 1);
    }
    t0 = now_ns();
    while (semctl(id, 2, GETZCNT) != 1 && ms_since(t0) < 3000)
        sleep_ms(5);
    expect_eq(semctl(id, 2, GETZCNT), 1);
    struct sembuf down = { 2, -1, 0 };
    expect_eq(semop(id, &down, 1), 0);
    expect_eq(reap(pid, "zero child"), 0);
    /* SEM_UNDO: a child's +3 goes away when it exits. */
    pid = fork();
    if (pid == 0) {
        struct sembuf u = { 1, 3, SEM_UNDO };
        _exit(semop(id, &u, 1) == 0 && semctl(id, 1, GETVAL) == 3 ? 0 : 1);
    }
    expect_eq(reap(pid, "undo child"), 0);
    expect_eq(semctl(id, 1, GETVAL), 0);
    /* EINTR for a handled signal. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;   /* semop is never restarted anyway */
    sigaction(SIGUSR1, &sa, NULL);
    pid = fork();
    if (pid == 0) {
        struct sembuf p = { 0, -1, 0 };
        int r = semop(id, &p, 1);
        _exit(r == -1 && errno == EINTR ? 0 : 1);
    }
    t0 = now_ns();
    while (semctl(id, 0, GETNCNT) != 1 && ms_since(t0) < 3000)
        sleep_ms(5);
    kill(pid, SIGUSR1);
    expect_eq(reap(pid, "EINTR child"), 0);
    /* EIDRM for a sleeper when the set goes. */
    pid = fork();
    if (pid == 0) {
        struct sembuf p = { 0, -1, 0 };
        int r = semop(id, &p, 1);
        _exit(r == -1 && errno == EIDRM ? 0 : 1);
    }
    t0 = now_ns();
    while (semctl(id, 0, GETNCNT) != 1 && ms_since(t0) < 3000)
        sleep_ms(5);
    expect_eq(semctl(id, 0, IPC_RMID), 0);
    expect_eq(reap(pid, "EIDRM child"), 0);
    expect_eq(semctl(id, 0, GETVAL), -1);
    expect_eq(errno, EINVAL);
    printf("%s: sem: a P in a child woken by a V, waiting for zero, SEM_UNDO, EINTR, EIDRM\n", GUEST_NAME);

    /* ---- message queues ---- */
    int q = msgget(key, IPC_CREAT | 0600);
    expect_true(q >= 0);
    expect_eq(msgget(key, IPC_CREAT | IPC_EXCL | 0600), -1);
    expect_eq(errno, EEXIST);
    struct msg m;
    for (int i = 0; i < 4; i++) {
        m.type = 3 - (i % 3);   /* types 3, 2, 1, 3 */
        snprintf(m.text, sizeof m.text, "message %d", i);
        expect_eq(msgsnd(q, &m, strlen(m.text) + 1, 0), 0);
    }
    struct msqid_ds qs;
    expect_eq(msgctl(q, IPC_STAT, &qs), 0);
    expect_eq(qs.msg_qnum, 4);
    expect_eq(qs.msg_lspid, getpid());
    expect_eq(msgrcv(q, &m, sizeof m.text, 2, 0), 10);        /* exactly type 2 */
    expect_true(m.type == 2 && strcmp(m.text, "message 1") == 0);
    expect_eq(msgrcv(q, &m, sizeof m.text, -2, 0), 10);       /* lowest type up to 2: type 1 */
    expect_true(m.type == 1 && strcmp(m.text, "message 2") == 0);
    expect_eq(msgrcv(q, &m, 3, 0, 0), -1);                    /* too long for 3 bytes */
    expect_eq(errno, E2BIG);
    expect_eq(msgrcv(q, &m, 3, 3, MSG_NOERROR), 3);           /* truncated, taken */
    expect_eq(msgrcv(q, &m, sizeof m.text, 3, MSG_EXCEPT | IPC_NOWAIT), -1);
    expect_eq(errno, ENOMSG);
    expect_eq(msgrcv(q, &m, sizeof m.text, 0, 0), 10);
    expect_true(strcmp(m.text, "message 3") == 0);
    expect_eq(msgrcv(q, &m, sizeof m.text, 0, IPC_NOWAIT), -1);
    expect_eq(errno, ENOMSG);
    /* A receiver in a child; a sender that waits for room. */
    pid = fork();
    if (pid == 0) {
        struct msg r;
        if (msgrcv(q, &r, sizeof r.text, 9, 0) != 6 || strcmp(r.text, "hello") != 0)
            _exit(1);
        _exit(0);
    }
    sleep_ms(100);
    m.type = 9;
    strcpy(m.text, "hello");
    expect_eq(msgsnd(q, &m, 6, 0), 0);
    expect_eq(reap(pid, "receiver child"), 0);
    qs.msg_qbytes = 20;
    expect_eq(msgctl(q, IPC_SET, &qs), 0);
    m.type = 1;
    expect_eq(msgsnd(q, &m, 16, 0), 0);
    expect_eq(msgsnd(q, &m, 16, IPC_NOWAIT), -1);
    expect_eq(errno, EAGAIN);
    pid = fork();
    if (pid == 0) {
        sleep_ms(150);
        struct msg r;
        _exit(msgrcv(q, &r, sizeof r.text, 0, 0) == 16 ? 0 : 1);
    }
    t0 = now_ns();
    expect_eq(msgsnd(q, &m, 16, 0), 0);   /* waits until the child took one */
    expect_true(ms_since(t0) >= 100);
    expect_eq(reap(pid, "drain child"), 0);
    pid = fork();
    if (pid == 0) {
        struct msg r;
        int n = (int)msgrcv(q, &r, sizeof r.text, 77, 0);
        _exit(n == -1 && errno == EIDRM ? 0 : 1);
    }
    sleep_ms(100);
    expect_eq(msgctl(q, IPC_RMID, NULL), 0);
    expect_eq(reap(pid, "EIDRM receiver"), 0);
    expect_eq(msgsnd(q, &m, 1, 0), -1);
    expect_eq(errno, EINVAL);
    printf("%s: msg: types, MSG_EXCEPT, E2BIG, MSG_NOERROR, ENOMSG, a child receiver, msg_qbytes, EIDRM\n", GUEST_NAME);
    pass();
}
