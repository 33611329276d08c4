// hostile: leaves traps in its work directory for the judge and for the next
// test: symlinks named like judge files pointing at a host file
// (output, 1.ans, input -> /tmp/pjh-fixtures/victim.txt), a symlink to /,
// FIFOs (stdin, stdout, 1.out), an executable script "checker" that would
// write to the victim, and "main" replaced by a symlink to that script.
// On entry it reports anything a previous test left in its work directory.
// verdicts: AC
// Judged on a temporary package with two tests. Expected: AC on both (each
// test starts in a clean directory), the judge does not follow the links,
// block on the FIFOs or run the script, and the victim file is unchanged.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
// The run directory holds the program: "main" and its source file.
static int own_file(const char* n) {
    size_t l = strlen(n);
    return strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "main") == 0 ||
           (l > 2 && strcmp(n + l - 2, ".c") == 0) || (l > 4 && strcmp(n + l - 4, ".cpp") == 0) ||
           (l > 3 && strcmp(n + l - 3, ".py") == 0) || strcmp(n, "__pycache__") == 0;
}
int main(void) {
    int found = 0;
    DIR* d = opendir(".");
    struct dirent* e;
    while (d && (e = readdir(d))) {
        if (!own_file(e->d_name)) {
            printf("FOUND:./%s\n", e->d_name);
            found = 1;
        }
    }
    if (d) closedir(d);
    const char* victim = "/tmp/pjh-fixtures/victim.txt";
    if (symlink(victim, "output") != 0) perror("symlink output");
    if (symlink(victim, "1.ans") != 0) perror("symlink 1.ans");
    if (symlink(victim, "input") != 0) perror("symlink input");
    if (symlink("/", "rootlink") != 0) perror("symlink rootlink");
    if (mkfifo("stdin", 0666) != 0) perror("mkfifo stdin");
    if (mkfifo("stdout", 0666) != 0) perror("mkfifo stdout");
    if (mkfifo("1.out", 0666) != 0) perror("mkfifo 1.out");
    if (link(victim, "victim-hardlink") == 0) fprintf(stderr, "hard link to the victim made\n");
    int fd = open("checker", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd >= 0) {
        const char* s = "#!/bin/sh\necho PJH-TRAP-RAN >> /tmp/pjh-fixtures/victim.txt\necho 3\n";
        if (write(fd, s, strlen(s)) < 0) {}
        close(fd);
        chmod("checker", 0755);
    }
    if (rename("main", "main.orig") == 0 && symlink("checker", "main") != 0) perror("symlink main");
    if (!found) printf("3\n");
    return 0;
}
