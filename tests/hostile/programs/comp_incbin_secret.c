// hostile (compile): embeds a host file into the binary with the assembler's
// .incbin (/tmp/pjh-fixtures/incbin-secret.txt, a secret file the test
// creates, mode 0644), and prints it at run time.
// verdicts: CE
// Expected: CE (the compiler cannot see host files), and the secret appears
// nowhere in the report.
#include <stdio.h>
__asm__(".section .rodata\n"
        ".global pjh_blob\n"
        "pjh_blob:\n"
        ".incbin \"/tmp/pjh-fixtures/incbin-secret.txt\"\n"
        ".byte 0\n"
        ".previous\n");
extern const char pjh_blob[];
int main(void) {
    printf("%s FOUND:incbin\n", pjh_blob);
    return 0;
}
