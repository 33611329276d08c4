// hostile: closes stdout and exits 0 without answering.
// verdicts: WA
#include <unistd.h>
int main(void) {
    close(1);
    return 0;
}
