// hostile: a child detaches with setsid + double fork, closes its stdio, and
// keeps running and writing (to a file it opened in the work directory) after
// the parent has answered and exited.
// verdicts: AC, RE
// Expected: AC (the parent answers 3); no process of the run survives the run.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    pid_t c = fork();
    if (c == 0) {
        setsid();
        if (fork() == 0) {
            prctl(PR_SET_NAME, "pjh-escapee");
            signal(SIGHUP, SIG_IGN);
            signal(SIGTERM, SIG_IGN);
            int fd = open("escape.log", O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (chdir("/") != 0) {}
            close(0); close(1); close(2);
            for (;;) {
                if (fd >= 0 && write(fd, "x\n", 2) < 0) {}
                usleep(50000);
            }
        }
        _exit(0);
    }
    waitpid(c, 0, 0);
    usleep(100000);  // the grandchild is running by now
    printf("3\n");
    return 0;
}
