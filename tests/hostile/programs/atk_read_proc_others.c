// hostile: reads other processes through /proc: their environment, command
// line, and the files and pipes they have open (/proc/PID/fd/N; another run's
// stdin pipe holds its test input), and their root and cwd.
// verdicts: AC, RE
// Prints every secret-marked content it found (content first) and every test
// file it could open; prints 3 (AC) only if it found nothing.
// Expected: AC (or RE): other processes are invisible or unreadable.
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
// The fixtures' secret marker (P J H S E C R E T), decoded at run time so that
// neither this source nor the binary (both in the work directory) contain it.
static char MARKER[9];
static void init_marker(void) {
    static const unsigned char enc[9] = {'P' ^ 0x55, 'J' ^ 0x55, 'H' ^ 0x55, 'S' ^ 0x55, 'E' ^ 0x55, 'C' ^ 0x55, 'R' ^ 0x55, 'E' ^ 0x55, 'T' ^ 0x55};
    volatile unsigned char key = 0x55;
    for (int i = 0; i < 9; ++i) MARKER[i] = (char)(enc[i] ^ key);
}
static int found_any;
static void found(const char* where, const char* data, size_t n) {
    char buf[161];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 160; ++i) {
        unsigned char c = (unsigned char)data[i];
        buf[k++] = (c > 32 && c < 127) ? (char)c : '_';
    }
    buf[k] = 0;
    if (found_any < 60) printf("%s FOUND:%s\n", k ? buf : "(empty)", where);
    ++found_any;
}
static void scan(const char* path, int always) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return;
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n <= 0) return;
    char* hit = memmem(buf, (size_t)n, MARKER, sizeof MARKER);
    if (hit)
        found(path, hit, (size_t)(n - (hit - buf)));
    else if (always)
        found(path, buf, (size_t)n);
}
int main(void) {
    init_marker();
    pid_t self = getpid();
    DIR* d = opendir("/proc");
    struct dirent* e;
    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]) || atoi(e->d_name) == self) continue;
        char path[512];
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        scan(path, 0);
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        scan(path, 0);
        snprintf(path, sizeof path, "/proc/%s/root/tmp/pjh-fixtures/host-secret.txt", e->d_name);
        scan(path, 0);
        char fddir[512];
        snprintf(fddir, sizeof fddir, "/proc/%s/fd", e->d_name);
        DIR* fds = opendir(fddir);
        struct dirent* f;
        while (fds && (f = readdir(fds))) {
            if (!isdigit((unsigned char)f->d_name[0])) continue;
            char link[1024], target[512];
            snprintf(link, sizeof link, "%s/%s", fddir, f->d_name);
            ssize_t t = readlink(link, target, sizeof target - 1);
            target[t > 0 ? t : 0] = 0;
            size_t tl = strlen(target);
            int test_file = (tl > 3 && strcmp(target + tl - 3, ".in") == 0) ||
                            (tl > 4 && strcmp(target + tl - 4, ".ans") == 0);
            scan(link, test_file);
        }
        if (fds) closedir(fds);
    }
    if (d) closedir(d);
    if (!found_any) printf("3\n");
    return 0;
}
