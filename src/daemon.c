/* The daemon's event loop (being built). */
#include <stdio.h>

#include "daemon.h"

int
daemon_run(struct conf *c, const char *dir, int verbose)
{
	(void)dir;
	(void)verbose;
	conf_free(c);
	fprintf(stderr, "abusemomd: the daemon is not built yet; "
	    "use -t or --replay\n");
	return 1;
}
