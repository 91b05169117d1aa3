/*
 * Regex filters for auth logs: failregex and ignoreregex lines in
 * PCRE2 (JIT when available) with <HOST> and <ADDR> for the client,
 * after a syslog prefix (traditional, RFC 3339, RFC 5424) is taken off.
 */
#ifndef ABUSEMOM_RX_H
#define ABUSEMOM_RX_H

#include <stdint.h>

#include "filter.h"

struct rx;

/*
 * Compiles the failregex and ignoreregex lines of fc (<HOST> and <ADDR>
 * stand for the client address) and reads its datepattern (syslog, the
 * default, iso8601 or none), logtimezone for dates written without a
 * zone (local, the default, UTC or +HHMM) and idents (syslog program
 * names; NULL or empty: any). NULL and "" mean not set. Returns a new
 * rx owned by the caller (rx_free), or NULL with err naming the key at
 * fault. fc may be freed after the call.
 */
struct rx	*rx_new(const struct filter_conf *, struct filter_err *);
/* Frees r and its compiled patterns; NULL is allowed. */
void		 rx_free(struct rx *);

/*
 * Parses one line (no newline, not NUL-terminated). Returns FILTER_OK
 * with ev filled (time, address, EVENT_FAILREGEX) when a failregex
 * matched and no ignoreregex did, FILTER_SKIP for a well-formed line
 * that is not a failure (or not from one of the idents), FILTER_BAD for
 * a line whose prefix or date cannot be parsed, or one over
 * EVENT_LINE_MAX. Allocates nothing.
 */
enum filter_result rx_parse(struct rx *, const char *line, size_t len,
		    struct event *ev);

/*
 * Sets the clock, in ms since the epoch, that year-less dates are read
 * against; 0 (the default) reads the wall clock on each line.
 */
void		 rx_set_now(struct rx *, int64_t now_ms);

#endif
