// hostile: changes or rewinds the clocks (clock_settime, settimeofday,
// adjtimex) to dodge wall-time accounting, then sleeps an hour.
// verdicts: TLE
// Expected: TLE on wall time (measured on the judge's monotonic clock).
// (A seccomp filter that kills the run on clock_settime gives RE "forbidden
// syscall clock_settime" instead: a policy choice the spec does not list;
// the sleeping half is covered on its own by time_odd_clocks_sleep.)
// Safety: it only "sets" CLOCK_REALTIME to the value it just read (a rewind of
// microseconds even if it wrongly succeeded), adjtimex only reads, and the
// test's outer cage drops CAP_SYS_TIME anyway.
#include <stdio.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (clock_settime(CLOCK_REALTIME, &now) == 0) fprintf(stderr, "clock_settime succeeded\n");
    struct timeval tv;
    gettimeofday(&tv, 0);
    if (settimeofday(&tv, 0) == 0) fprintf(stderr, "settimeofday succeeded\n");
    struct timex tx = {0};  // modes 0: read only
    adjtimex(&tx);
    struct timespec hour = {3600, 0};
    for (;;) clock_nanosleep(CLOCK_MONOTONIC, 0, &hour, 0);
}
