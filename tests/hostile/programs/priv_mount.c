// hostile: mount(): a tmpfs and a bind mount of / on directories in its own
// work directory (never on a shared path).
// verdicts: AC, RE
// Prints "FOUND:..." (so WA) for each mount that worked; prints 3 (AC)
// otherwise.
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
int main(void) {
    int found = 0;
    mkdir("mnt-tmpfs", 0700);
    mkdir("mnt-bind", 0700);
    if (mount("pjh", "mnt-tmpfs", "tmpfs", 0, "size=1m") == 0) {
        printf("FOUND:mount-tmpfs\n");
        found = 1;
        umount2("mnt-tmpfs", MNT_DETACH);
    }
    if (mount("/", "mnt-bind", 0, MS_BIND | MS_REC, 0) == 0) {
        printf("FOUND:mount-bind\n");
        found = 1;
        umount2("mnt-bind", MNT_DETACH);
    }
    if (!found) printf("3\n");
    return 0;
}
