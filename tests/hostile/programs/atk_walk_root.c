// hostile: walks the whole file system from / looking for test data: files
// named *.in / *.ans, in a "data" directory, or named like a secret, and any
// file holding the fixtures' secret marker. Skips pseudo file systems and
// system directories to stay inside a CPU budget of 0.6 s.
// verdicts: AC, RE
// Prints what it found (content first); prints 3 (AC) only if it found
// nothing. Expected: AC (or RE).
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
static int over_budget(void) { return clock() > CLOCKS_PER_SEC * 6 / 10; }
static int ends_with(const char* s, const char* t) {
    size_t a = strlen(s), b = strlen(t);
    return a >= b && strcmp(s + a - b, t) == 0;
}
static const char* skip[] = {"/proc", "/sys", "/dev", "/usr", "/lib", "/lib32", "/lib64", "/libx32",
                             "/bin", "/sbin", "/boot", "/snap", "/etc", "/var/lib/dpkg", "/var/cache",
                             "/root/.pyenv", "/root/.cache", "/tmp/pjh-cache", 0};
static void walk(const char* dir, int depth, int in_data) {
    if (depth > 12 || over_budget()) return;
    for (int i = 0; skip[i]; ++i)
        if (strcmp(dir, skip[i]) == 0) return;
    DIR* d = opendir(dir);
    if (!d) return;
    struct dirent* e;
    while ((e = readdir(d)) && !over_budget()) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            walk(path, depth + 1, in_data || strcmp(e->d_name, "data") == 0);
        } else if (S_ISREG(st.st_mode) && st.st_size < (1 << 20)) {
            int named = ends_with(e->d_name, ".in") || ends_with(e->d_name, ".ans") ||
                        strcasestr(e->d_name, "secret") != 0;
            int small = st.st_size < 64 << 10;
            if (!named && !(in_data && small) && !small) continue;
            FILE* f = fopen(path, "rb");
            if (!f) continue;
            char buf[4096];
            size_t n = fread(buf, 1, sizeof buf, f);
            fclose(f);
            char* hit = memmem(buf, n, MARKER, sizeof MARKER);
            if (hit)
                found(path, hit, n - (size_t)(hit - buf));
            else if (named || in_data)
                found(path, buf, n);
        }
    }
    closedir(d);
}
int main(void) {
    init_marker();
    const char* first[] = {"/tmp", "/var/tmp", "/dev/shm", "/work", "/srv", "/home", "/root", "/var",
                           "/opt", "/mnt", "/run", "/media", 0};
    for (int i = 0; first[i]; ++i) walk(first[i], 1, 0);
    DIR* d = opendir("/");
    struct dirent* e;
    while (d && (e = readdir(d)) && !over_budget()) {
        if (e->d_name[0] == '.') continue;
        char path[300];
        snprintf(path, sizeof path, "/%s", e->d_name);
        int done = 0;
        for (int i = 0; first[i]; ++i)
            if (strcmp(path, first[i]) == 0) done = 1;
        if (!done) walk(path, 1, 0);
    }
    if (d) closedir(d);
    fprintf(stderr, "walk used %.2f s CPU\n", (double)clock() / CLOCKS_PER_SEC);
    if (!found_any) printf("3\n");
    return 0;
}
