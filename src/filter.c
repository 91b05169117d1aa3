/* Filters: one front for the access-log and regex parsers. */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "filter.h"
#include "rx.h"
#include "util.h"

struct filter {
	char		*name;
	struct access	*access;
	struct rx	*rx;
};

struct filter *
filter_new(const struct filter_conf *fc, struct filter_err *err)
{
	struct filter	*f;

	memset(err, 0, sizeof(*err));
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->name = strdup(fc->name)) == NULL) {
		util_strlcpy(err->msg, "out of memory", sizeof(err->msg));
		free(f);
		return NULL;
	}
	if (fc->nfailregex > 0)
		f->rx = rx_new(fc, err);
	else
		f->access = access_new(fc, err);
	if (f->rx == NULL && f->access == NULL) {
		filter_free(f);
		return NULL;
	}
	return f;
}

void
filter_free(struct filter *f)
{
	if (f == NULL)
		return;
	access_free(f->access);
	rx_free(f->rx);
	free(f->name);
	free(f);
}

enum filter_result
filter_parse(struct filter *f, const char *line, size_t len,
    struct event *ev)
{
	if (f->rx != NULL)
		return rx_parse(f->rx, line, len, ev);
	return access_parse(f->access, line, len, ev);
}

const char *
filter_name(const struct filter *f)
{
	return f->name;
}

int
filter_forgeable(const struct filter *f)
{
	return f->access != NULL && access_forgeable(f->access);
}

int
filter_logs_host(const struct filter *f)
{
	return f->access != NULL && access_logs_host(f->access);
}

int
filter_is_regex(const struct filter *f)
{
	return f->rx != NULL;
}
