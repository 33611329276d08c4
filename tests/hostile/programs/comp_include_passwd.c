// hostile (compile): #include "/etc/passwd": the compiler quotes the lines of
// the file it chokes on in its diagnostics. The test bind-mounts a copy of
// /etc/passwd with a random marker in root's entry.
// verdicts: CE
// Expected: CE, and the file's content is not in the diagnostics shown.
#include "/etc/passwd"
int main(void) { return 0; }
