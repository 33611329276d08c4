// hostile: sends SIGKILL to every pid it can see in /proc (and pids 1..4096
// by guessing), except itself.
// verdicts: AC, RE
// Expected: only the run dies; the judge and other processes survive.
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(void) {
    pid_t self = getpid();
    int hits = 0;
    DIR* d = opendir("/proc");
    struct dirent* e;
    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0])) continue;
        pid_t p = (pid_t)atoi(e->d_name);
        if (p != self && kill(p, SIGKILL) == 0) ++hits;
    }
    if (d) closedir(d);
    for (pid_t p = 1; p <= 4096; ++p)
        if (p != self && kill(p, SIGKILL) == 0) ++hits;
    fprintf(stderr, "SIGKILL delivered to %d pids\n", hits);
    usleep(100000);
    printf("3\n");
    return 0;
}
