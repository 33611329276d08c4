/* Prints in scientific notation (e.g. 3.141592653590e+00): still within 1e-6. */
#include <math.h>
#include <stdio.h>

int main(void) {
    double r;
    if (scanf("%lf", &r) != 1) return 1;
    printf("%.12e\n", M_PI * r * r);
    return 0;
}
