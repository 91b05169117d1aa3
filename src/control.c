/* Placeholder until the control socket lands. */
#include <stdlib.h>

#include "control.h"
#include "daemon.h"

struct control {
	struct daemon	*d;
};

struct control *
control_open(struct daemon *d)
{
	struct control	*c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->d = d;
	return c;
}

void
control_close(struct control *c)
{
	free(c);
}

int
control_pollfds(struct control *c, struct pollfd *pfd, int max)
{
	(void)c;
	(void)pfd;
	(void)max;
	return 0;
}

void
control_handle(struct control *c, const struct pollfd *pfd, int n)
{
	(void)c;
	(void)pfd;
	(void)n;
}

void
control_tick(struct control *c)
{
	(void)c;
}
