// hostile (compile): #include "/etc/shadow". The test bind-mounts a fake
// /etc/shadow holding a random marker.
// verdicts: CE
// Expected: CE, and the file's content is not in the diagnostics shown.
#include "/etc/shadow"
int main(void) { return 0; }
