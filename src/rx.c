/* Placeholder until the regex filters land. */
#include <stdlib.h>

#include "rx.h"
#include "util.h"

struct rx {
	int	 unused;
};

struct rx *
rx_new(const struct filter_conf *fc, struct filter_err *err)
{
	(void)fc;
	util_strlcpy(err->key, "failregex", sizeof(err->key));
	util_strlcpy(err->msg, "not built", sizeof(err->msg));
	return NULL;
}

void
rx_free(struct rx *r)
{
	free(r);
}

enum filter_result
rx_parse(struct rx *r, const char *line, size_t len, struct event *ev)
{
	(void)r; (void)line; (void)len; (void)ev;
	return FILTER_BAD;
}
