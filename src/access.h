/*
 * Access-log parsers: combined, common, vhost_combined, nginx log_format
 * strings with their escaping, JSON logs (Caddy, Traefik, a field map)
 * and HAProxy httplog. Fields are cut by the format's structure.
 */
#ifndef ABUSEMOM_ACCESS_H
#define ABUSEMOM_ACCESS_H

#include "filter.h"

struct access;

/* Returns NULL with *err filled when the format cannot be used. */
struct access	*access_new(const struct filter_conf *, struct filter_err *);
void		 access_free(struct access *);
enum filter_result access_parse(struct access *, const char *line,
		    size_t len, struct event *ev);
int		 access_forgeable(const struct access *);
int		 access_logs_host(const struct access *);

#endif
