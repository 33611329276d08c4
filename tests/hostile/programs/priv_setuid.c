// hostile: tries to become root or another user: setuid(0), setgid(0),
// setresuid, setgroups, setuid to the next run slot's uid; and reports any
// capability it holds.
// verdicts: AC, RE
// Prints "FOUND:..." (so WA) for each success; prints 3 (AC) if all failed.
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    int found = 0;
    if (setgroups(0, 0) == 0) { printf("FOUND:setgroups\n"); found = 1; }
    if (setgid(0) == 0) { printf("FOUND:setgid0\n"); found = 1; }
    if (setresgid(0, 0, 0) == 0) { printf("FOUND:setresgid0\n"); found = 1; }
    if (setuid(0) == 0) { printf("FOUND:setuid0\n"); found = 1; }
    if (setresuid(0, 0, 0) == 0) { printf("FOUND:setresuid0\n"); found = 1; }
    uid_t other = getuid() + 1;
    if (getuid() != 0 && setuid(other) == 0) { printf("FOUND:setuid-other\n"); found = 1; }
    FILE* f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "CapEff:", 7) == 0 || strncmp(line, "CapPrm:", 7) == 0) {
            unsigned long long caps = 0;
            sscanf(line + 7, "%llx", &caps);
            if (caps) {
                line[6] = 0;
                printf("FOUND:%s=%llx\n", line, caps);
                found = 1;
            }
        }
    }
    if (f) fclose(f);
    if (!found) printf("3\n");
    return 0;
}
