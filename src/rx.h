/*
 * Regex filters for auth logs: failregex and ignoreregex lines in
 * PCRE2 (JIT when available) with <HOST> and <ADDR> for the client,
 * after a syslog prefix (traditional, RFC 3339, RFC 5424) is taken off.
 */
#ifndef ABUSEMOM_RX_H
#define ABUSEMOM_RX_H

#include "filter.h"

struct rx;

struct rx	*rx_new(const struct filter_conf *, struct filter_err *);
void		 rx_free(struct rx *);
enum filter_result rx_parse(struct rx *, const char *line, size_t len,
		    struct event *ev);

#endif
