// hostile: opens the judge's System V message queue (the test creates one,
// key 0x504a4801, mode 0666, holding one secret message), by key and by
// enumerating queue ids; steals the message and removes the queue.
// verdicts: AC, RE
// Prints what it got (so WA); prints 3 (AC) if it could not reach the queue.
// The test asserts the queue and its message are intact afterwards.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
struct msg {
    long type;
    char text[512];
};
static int found;
static void attack(int id, const char* how) {
    struct msg m;
    ssize_t n = msgrcv(id, &m, sizeof m.text - 1, 0, IPC_NOWAIT | MSG_NOERROR);
    if (n >= 0) {
        m.text[n] = 0;
        for (ssize_t i = 0; i < n; ++i)
            if (m.text[i] == ' ' || m.text[i] == '\n') m.text[i] = '_';
        printf("%s FOUND:msgrcv-%s\n", m.text, how);
        found = 1;
    }
    if (msgctl(id, IPC_RMID, 0) == 0) {
        printf("FOUND:removed-queue-%s\n", how);
        found = 1;
    }
}
int main(void) {
    int id = msgget(0x504a4801, 0);
    if (id >= 0) {
        printf("FOUND:msgget-key\n");
        found = 1;
        attack(id, "by-key");
    }
    struct msqid_ds ds;
    for (int i = 0; i < 256; ++i) {
        int qid = msgctl(i, MSG_STAT, &ds);
        if (qid >= 0) attack(qid, "by-index");
    }
    if (!found) printf("3\n");
    return 0;
}
