// hostile: a child moves to its own process group (setpgid), ignores the
// polite signals, closes its stdio and sleeps forever after the parent exits.
// verdicts: AC, RE
// Expected: AC (the parent answers 3); the sleeper does not survive the run.
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(void) {
    if (fork() == 0) {
        setpgid(0, 0);
        prctl(PR_SET_NAME, "pjh-sleeper");
        signal(SIGHUP, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        close(0); close(1); close(2);
        for (;;) pause();
    }
    usleep(100000);
    printf("3\n");
    return 0;
}
