// hostile: opens the judge's POSIX message queue (the test creates
// /pjh-judge-queue, mode 0666, holding one secret message), steals the
// message and unlinks the queue.
// verdicts: AC, RE
// Prints what it got (so WA); prints 3 (AC) if it could not reach the queue.
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    int found = 0;
    mqd_t q = mq_open("/pjh-judge-queue", O_RDWR | O_NONBLOCK);
    if (q == (mqd_t)-1) q = mq_open("/pjh-judge-queue", O_RDONLY | O_NONBLOCK);
    if (q != (mqd_t)-1) {
        printf("FOUND:mq_open\n");
        found = 1;
        struct mq_attr at;
        char buf[65536];
        if (mq_getattr(q, &at) == 0 && at.mq_msgsize <= (long)sizeof buf) {
            ssize_t n = mq_receive(q, buf, sizeof buf, 0);
            if (n > 0) {
                buf[n < 160 ? n : 160] = 0;
                for (char* c = buf; *c; ++c)
                    if (*c == ' ' || *c == '\n') *c = '_';
                printf("%s FOUND:mq_receive\n", buf);
            }
        }
    }
    if (mq_unlink("/pjh-judge-queue") == 0) {
        printf("FOUND:mq_unlink\n");
        found = 1;
    }
    if (!found) printf("3\n");
    return 0;
}
