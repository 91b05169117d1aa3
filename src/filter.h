/*
 * Filters turn log lines into events. A filter is built from one
 * filters.d section: an access-log format (built-in name, nginx
 * log_format string, json or haproxy) or failregex lines.
 */
#ifndef ABUSEMOM_FILTER_H
#define ABUSEMOM_FILTER_H

#include <stddef.h>

#include "event.h"

/* A configuration error: the key it concerns and why. */
struct filter_err {
	char	 key[64];
	char	 msg[256];
};

/* A named regex line: failregex.NAME = ... in the filter section. */
struct filter_rx {
	char	*name;		/* the full key, e.g. "failregex.invalid" */
	char	*pattern;
};

/* The filter section as read from disk; owned by the conf module. */
struct filter_conf {
	char		*name;
	char		*file;
	/* combined, common, vhost_combined, json, haproxy or a log_format */
	char		*format;
	char		*escape;	/* default, json, none (nginx) */
	char		*json_preset;	/* caddy, traefik */
	char		*json_time;	/* field names for format = json */
	char		*json_time_format; /* epoch, epoch_ms, rfc3339 */
	char		*json_addr;
	char		*json_method;
	char		*json_uri;
	char		*json_status;
	char		*json_referer;
	char		*json_user_agent;
	char		*json_host;
	struct filter_rx *failregex;
	size_t		 nfailregex;
	struct filter_rx *ignoreregex;
	size_t		 nignoreregex;
	char		*datepattern;	/* regex filters: syslog, iso8601 */
	char		*logtimezone;	/* for zone-less dates: UTC, +0200 */
	char		*idents;	/* syslog programs: sshd sshd-session */
	char		*danger_medium;	/* PCRE2 over the normalised path */
	char		*danger_high;
	char		*badua;		/* PCRE2 pattern over the User-Agent */
};

enum filter_result {
	FILTER_BAD = -1,	/* unparsable: counted and skipped */
	FILTER_OK = 0,		/* *ev filled */
	FILTER_SKIP = 1		/* parsed, not relevant (no failregex match) */
};

struct filter;

/*
 * Builds a filter; NULL with *err filled on a bad section. The caller
 * keeps ownership of fc, which may be freed after the call.
 */
struct filter	*filter_new(const struct filter_conf *fc,
		    struct filter_err *err);
void		 filter_free(struct filter *);

/* Parses one line (no newline, not NUL-terminated). */
enum filter_result filter_parse(struct filter *, const char *line,
		    size_t len, struct event *ev);

const char	*filter_name(const struct filter *);
/* True when the format's fields can be forged (nginx escape=none). */
int		 filter_forgeable(const struct filter *);
/* True when events carry the Host. */
int		 filter_logs_host(const struct filter *);
/* True for failregex filters (auth logs). */
int		 filter_is_regex(const struct filter *);

#endif
