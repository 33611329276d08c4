// hostile: reads the answer file and other test data by guessing paths
// (relative to the work directory, the judge's temp dirs, the test fixture
// package /tmp/pjh-fixtures/secretpkg, the repository's problems).
// verdicts: AC, RE
// Prints what it found (content first); prints 3 (AC) only if it could read
// nothing. Expected: AC (or RE if a syscall filter kills it).
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return;
    FILE* f = fopen(path, "rb");
    if (!f) return;
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    found(path, buf, n);
}
int main(void) {
    const char* patterns[] = {
        "../data/*/*", "../../data/*/*", "../../../data/*/*", "../*/data/*/*",
        "../private/*", "../*/*.ans", "../*/*.in", "../*",
        "/tmp/pipejudge-*/private/*", "/tmp/*/pipejudge-*/private/*",
        "/tmp/pjh-fixtures/secretpkg/data/*/*", "/tmp/*/data/*/*.ans", "/tmp/*/data/*/*.in",
        "/tmp/*/*/data/*/*.ans", "/tmp/*/*/data/*/*.in",
        "/tmp/pjh-fixtures/*", "/tmp/pjh-fixtures/*/*",
        "/work/*/tests/hostile/problem/data/*/*", "/work/*/problems/*/data/*/*",
        "/var/lib/*judge*/*", "/srv/*/data/*/*", "/home/*/*/data/*/*",
    };
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; ++i) {
        glob_t g;
        if (glob(patterns[i], 0, 0, &g) == 0) {
            for (size_t j = 0; j < g.gl_pathc; ++j) try_file(g.gl_pathv[j]);
            globfree(&g);
        }
    }
    if (!found_any) printf("3\n");
    return 0;
}
