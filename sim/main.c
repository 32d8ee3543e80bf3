#include <stdio.h>
int main(void) { puts("fission"); return 0; }
