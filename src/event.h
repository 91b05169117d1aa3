/*
 * An event: what a filter takes out of one log line. Spans point into
 * memory owned by the filter that filled the event, valid until its
 * next parse.
 */
#ifndef ABUSEMOM_EVENT_H
#define ABUSEMOM_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define EVENT_LINE_MAX	(64 * 1024)

struct span {
	const char	*p;
	size_t		 len;
};

struct event {
	int64_t		 time_ms;	/* log time, UTC; 0: none in the line */
	struct addr	 addr;		/* the client as logged */
	int		 status;	/* HTTP status; 0 in auth logs */
	struct span	 method;
	struct span	 path;		/* request target: path and query */
	struct span	 referer;	/* "-" and empty become len 0 */
	struct span	 ua;
	struct span	 host;		/* len 0 when the format has no host */
	struct span	 xff;		/* X-Forwarded-For, when logged */
	struct span	 user;
	unsigned	 flags;
};

#define EVENT_FAILREGEX	0x01	/* a failregex matched (authfail) */
#define EVENT_HAS_HOST	0x02	/* the format logs the Host */

#endif
