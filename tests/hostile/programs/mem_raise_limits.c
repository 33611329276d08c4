// hostile: tries to escape its memory limit: raises RLIMIT_AS/RLIMIT_DATA to
// infinity, lowers its oom_score_adj to -1000, moves itself to its parent
// cgroup (memory and unified hierarchies) and raises its cgroup's limit;
// then uses 400 MiB under a 256 MiB limit. What succeeded goes to stderr.
// verdicts: MLE, RE
// Expected: MLE or RE: none of the escapes works.
// Safety: only the immediate parent cgroup is tried, never the root.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
static int write_file(const char* path, const char* text) {
    FILE* f = fopen(path, "w");
    if (!f) return -1;
    int ok = fputs(text, f) >= 0;
    if (fclose(f) != 0) ok = 0;
    return ok ? 0 : -1;
}
int main(void) {
    struct rlimit inf = {RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_AS, &inf) == 0) fprintf(stderr, "ESCAPE: RLIMIT_AS raised\n");
    if (setrlimit(RLIMIT_DATA, &inf) == 0) fprintf(stderr, "ESCAPE: RLIMIT_DATA raised\n");
    if (write_file("/proc/self/oom_score_adj", "-1000\n") == 0) fprintf(stderr, "ESCAPE: oom_score_adj -1000\n");
    char pid[32];
    snprintf(pid, sizeof pid, "%d\n", getpid());
    FILE* cg = fopen("/proc/self/cgroup", "r");
    char line[512];
    while (cg && fgets(line, sizeof line, cg)) {
        line[strcspn(line, "\n")] = 0;
        char* c1 = strchr(line, ':');
        char* c2 = c1 ? strchr(c1 + 1, ':') : 0;
        if (!c2) continue;
        *c2 = 0;
        const char* ctrl = c1 + 1;
        char* path = c2 + 1;
        const char* mount = strcmp(ctrl, "memory") == 0 ? "/sys/fs/cgroup/memory"
                          : strcmp(ctrl, "") == 0      ? "/sys/fs/cgroup/unified"
                          : strcmp(ctrl, "pids") == 0  ? "/sys/fs/cgroup/pids"
                                                        : 0;
        if (!mount || strcmp(path, "/") == 0) continue;
        char file[1024];
        snprintf(file, sizeof file, "%s%s/memory.limit_in_bytes", mount, path);
        if (write_file(file, "-1\n") == 0) fprintf(stderr, "ESCAPE: %s raised\n", file);
        snprintf(file, sizeof file, "%s%s/memory.max", mount, path);
        if (write_file(file, "max\n") == 0) fprintf(stderr, "ESCAPE: %s raised\n", file);
        char* slash = strrchr(path, '/');
        if (slash) *slash = 0;  // the immediate parent ("" for the root: skipped)
        if (path[0] == 0) continue;
        snprintf(file, sizeof file, "%s%s/cgroup.procs", mount, path);
        if (write_file(file, pid) == 0) fprintf(stderr, "ESCAPE: moved to %s\n", file);
    }
    if (cg) fclose(cg);
    // MAP_POPULATE: 400 MiB resident at once (fast even where page faults are slow).
    char* p = mmap(0, 400 << 20, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "mmap 400 MiB failed\n");
        return 5;
    }
    __asm__ volatile("" : : "r"(p) : "memory");
    printf("%d\n", p[123] + 3);
    return 0;
}
