/* abusemomd: placeholder entry point while the core lands. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "abusemomd: not built yet\n");
	return 1;
}
