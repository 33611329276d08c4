// hostile: the main thread exits (pthread_exit) while two other threads spin.
// verdicts: TLE, RE
// Expected: TLE (or RE), never a hang of the judge.
#include <pthread.h>
static void* spin(void* arg) {
    (void)arg;
    volatile unsigned long x = 0;
    for (;;) x++;
    return 0;
}
int main(void) {
    pthread_t t;
    pthread_create(&t, 0, spin, 0);
    pthread_create(&t, 0, spin, 0);
    pthread_exit(0);
}
