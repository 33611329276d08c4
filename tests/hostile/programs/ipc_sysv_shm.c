// hostile: attaches the judge's System V shared memory segment (the test
// creates one, key 0x504a4802, mode 0666, holding a secret), by key and by
// enumerating ids; reads it, overwrites it and marks it for removal.
// verdicts: AC, RE
// Prints what it read (so WA); prints 3 (AC) if it could not reach it.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
static int found;
static void attack(int id, const char* how) {
    char* p = shmat(id, 0, 0);
    if (p == (char*)-1) p = shmat(id, 0, SHM_RDONLY);
    if (p != (char*)-1) {
        char buf[161];
        int k = 0;
        for (; k < 160 && p[k]; ++k) buf[k] = (p[k] > 32 && p[k] < 127) ? p[k] : '_';
        buf[k] = 0;
        printf("%s FOUND:shmat-%s\n", k ? buf : "(empty)", how);
        found = 1;
        memcpy(p, "PJH-OVERWRITTEN", 15);  // faults if read-only: that is fine
        shmdt(p);
    }
    if (shmctl(id, IPC_RMID, 0) == 0) {
        printf("FOUND:removed-shm-%s\n", how);
        found = 1;
    }
}
int main(void) {
    int id = shmget(0x504a4802, 0, 0);
    if (id >= 0) attack(id, "by-key");
    struct shmid_ds ds;
    for (int i = 0; i < 256; ++i) {
        int sid = shmctl(i, SHM_STAT, &ds);
        if (sid >= 0) attack(sid, "by-index");
    }
    if (!found) printf("3\n");
    return 0;
}
