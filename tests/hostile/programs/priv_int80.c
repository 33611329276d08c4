// hostile: 32-bit system calls from a 64-bit process through int 0x80 (the
// classic way around a seccomp filter that only knows x86_64 numbers):
// getpid (i386 number 20) and getuid (i386 number 24).
// verdicts: AC, RE
// Prints "FOUND:..." (so WA) if a 32-bit syscall returned a result; prints 3
// (AC) if they failed (-ENOSYS), or the run dies: RE naming the syscall, or
// RE SIGSEGV on kernels without IA-32 emulation (int 0x80 then faults).
#include <stdio.h>
static long int80(long nr) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr) : "memory", "r8", "r9", "r10", "r11");
    return r;
}
int main(void) {
    int found = 0;
    fprintf(stderr, "int 0x80 getpid...\n");
    long pid = int80(20);
    fprintf(stderr, "int 0x80 getpid returned %ld\n", pid);
    if (pid > 0) {
        printf("FOUND:int80-getpid=%ld\n", pid);
        found = 1;
    }
    long uid = int80(24);
    if (uid >= 0) {
        printf("FOUND:int80-getuid=%ld\n", uid);
        found = 1;
    }
    if (!found) printf("3\n");
    return 0;
}
