/* abusemom-ctl: placeholder entry point while the core lands. */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "abusemom-ctl: not built yet\n");
	return 1;
}
