// probe, run as the NEXT submission after a hostile one: looks for anything
// an earlier run left behind: files named pjh-w-* in /tmp, /var/tmp,
// /dev/shm, its work directory and its parents, and traps in its work dir.
// verdicts: AC
// Prints what it found; prints 3 (AC) only if the earlier run left nothing
// it can see.
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
static int found_any;
// The run directory holds the program: "main" and its source file.
static int own_file(const char* n) {
    size_t l = strlen(n);
    return strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "main") == 0 ||
           (l > 2 && strcmp(n + l - 2, ".c") == 0) || (l > 4 && strcmp(n + l - 4, ".cpp") == 0) ||
           (l > 3 && strcmp(n + l - 3, ".py") == 0) || strcmp(n, "__pycache__") == 0;
}
int main(void) {
    const char* patterns[] = {"/tmp/pjh-w-*", "/var/tmp/pjh-w-*", "/dev/shm/pjh-w-*", "./pjh-w-*",
                              "../pjh-w-*", "../../pjh-w-*", "/pjh-w-*", "/tmp/*/pjh-w-*",
                              "/tmp/*/*/pjh-w-*", 0};
    for (int i = 0; patterns[i]; ++i) {
        glob_t g;
        if (glob(patterns[i], 0, 0, &g) == 0) {
            for (size_t j = 0; j < g.gl_pathc; ++j) {
                printf("FOUND:%s\n", g.gl_pathv[j]);
                found_any = 1;
            }
            globfree(&g);
        }
    }
    DIR* d = opendir(".");
    struct dirent* e;
    while (d && (e = readdir(d))) {
        if (!own_file(e->d_name)) {
            printf("FOUND:./%s\n", e->d_name);
            found_any = 1;
        }
    }
    if (d) closedir(d);
    if (!found_any) printf("3\n");
    return 0;
}
