// hostile: writes files outside its work directory (/tmp, /var/tmp, /dev/shm,
// the parent directories, $HOME/.., /, the repository, the fixture dir) and
// appends to host files (a world-writable file, the judge's database), plus
// one file in its own work directory. What succeeded goes to stderr.
// verdicts: AC, RE
// Expected: AC (or RE); afterwards no file outside the work directory has
// changed or appeared, and the next run sees nothing (fs_probe_leftovers).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
static void create(const char* dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/pjh-w-outside", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return;
    if (write(fd, "PJH-WRITTEN\n", 12) < 0) {}
    fchmod(fd, 0666);
    close(fd);
    fprintf(stderr, "created %s\n", path);
}
static void append(const char* path) {
    int fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0) return;
    if (write(fd, "PJH-WRITTEN\n", 12) == 12) fprintf(stderr, "appended to %s\n", path);
    close(fd);
}
int main(void) {
    const char* dirs[] = {"/tmp", "/var/tmp", "/dev/shm", "..", "../..", "/", "/root", "/work/main",
                          "/work/main/tests/hostile", "/tmp/pjh-fixtures", "/tmp/pjh-fixtures/db",
                          "/run", "/run/lock", "/var/crash", "/var/mail", "/dev/mqueue", 0};
    for (int i = 0; dirs[i]; ++i) create(dirs[i]);
    const char* home = getenv("HOME");
    if (home) {
        char up[1024];
        snprintf(up, sizeof up, "%s/..", home);
        create(up);
    }
    append("/tmp/pjh-fixtures/world-writable.txt");
    append("/tmp/pjh-fixtures/db/judge.db");
    append("/tmp/pjh-fixtures/victim.txt");
    create(".");  // inside the work directory: allowed, but gone after the run
    printf("3\n");
    return 0;
}
