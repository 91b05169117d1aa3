/* Placeholder until the access-log parsers land. */
#include <stdlib.h>

#include "access.h"
#include "util.h"

struct access {
	int	 unused;
};

struct access *
access_new(const struct filter_conf *fc, struct filter_err *err)
{
	(void)fc;
	util_strlcpy(err->key, "format", sizeof(err->key));
	util_strlcpy(err->msg, "not built", sizeof(err->msg));
	return NULL;
}

void
access_free(struct access *a)
{
	free(a);
}

enum filter_result
access_parse(struct access *a, const char *line, size_t len,
    struct event *ev)
{
	(void)a; (void)line; (void)len; (void)ev;
	return FILTER_BAD;
}

int
access_forgeable(const struct access *a)
{
	(void)a;
	return 0;
}

int
access_logs_host(const struct access *a)
{
	(void)a;
	return 0;
}
