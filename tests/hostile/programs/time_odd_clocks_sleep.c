// hostile: sleeps on odd clocks without changing any: an absolute
// CLOCK_REALTIME deadline an hour away, CLOCK_TAI, CLOCK_BOOTTIME, a
// CLOCK_REALTIME timerfd, then alarm()-free pause.
// verdicts: TLE
// Expected: TLE on wall time (the judge's monotonic clock), never a hang.
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct timespec until = now;
    until.tv_sec += 3600;
    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, 0);
    struct timespec hour = {3600, 0};
    clock_nanosleep(CLOCK_TAI, 0, &hour, 0);
    clock_nanosleep(CLOCK_BOOTTIME, 0, &hour, 0);
    int fd = timerfd_create(CLOCK_REALTIME, 0);
    if (fd >= 0) {
        struct itimerspec its = {{0, 0}, {3600, 0}};
        timerfd_settime(fd, 0, &its, 0);
        uint64_t n;
        if (read(fd, &n, sizeof n) < 0) {}
    }
    for (;;) pause();
}
