// hostile: reads /etc/shadow, /etc/gshadow, /proc/1/environ, its parent's
// environment, its own environment (looking for the judge's variables), and
// a secret file of the host (/tmp/pjh-fixtures/host-secret.txt, mode 0644)
// and the judge's database (/tmp/pjh-fixtures/db/judge.db).
// verdicts: AC, RE
// Prints what it found (content first); prints 3 (AC) only if it found
// nothing. The test bind-mounts fake /etc/shadow with a random marker.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
extern char** environ;
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
static void try_file(const char* path) {
    FILE* f = fopen(path, "rb");
    if (!f) return;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char* hit = memmem(buf, n, MARKER, sizeof MARKER);
    if (hit)
        found(path, hit, n - (size_t)(hit - buf));
    else
        found(path, buf, n);
}
int main(void) {
    init_marker();
    try_file("/etc/shadow");
    try_file("/etc/gshadow");
    try_file("/proc/1/environ");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", getppid());
    try_file(path);
    try_file("/tmp/pjh-fixtures/host-secret.txt");
    try_file("/tmp/pjh-fixtures/db/judge.db");
    for (char** e = environ; *e; ++e)
        if (memmem(*e, strlen(*e), MARKER, sizeof MARKER) || strncmp(*e, "PJH_", 4) == 0) found("own environment", *e, strlen(*e));
    if (!found_any) printf("3\n");
    return 0;
}
