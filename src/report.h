/*
 * The threat report of one address, rendered as text, JSON or HTML from
 * a plain data struct: the control code fills it from the store, tests
 * fill it by hand. Sections, in every format: verdict, identity,
 * signatures, observed activity, timeline, network, recommendations,
 * DNSBL status. The JSON form is documented in docs/report-json.md.
 */
#ifndef ABUSEMOM_REPORT_H
#define ABUSEMOM_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "geoip.h"

#define REPORT_JSON_VERSION	1

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_HTML
};

/* One triggering signature event. */
struct report_event {
	char		 kind[16];	/* ratio404, burst, danger, ... */
	char		 desc[96];	/* "404 ratio 40-60%" */
	int		 points;
	char		 severity[12];	/* low, medium, high; "" derives it */
	int64_t		 time_ms;	/* wall time, 0 when unknown */
	char		 jail[32];
};

/* The most points one signature kind reached: the score adds these. */
struct report_kind {
	char		 kind[16];
	int		 points;
};

/* One stored sample request; text as logged. */
struct report_sample {
	int64_t		 time_ms;
	char		 method[16];
	char		 host[128];
	char		 path[512];
	int		 status;
	char		 ua[256];
};

/* A ban, current or earlier. */
struct report_ban {
	int64_t		 since_ms;
	int64_t		 expires_ms;	/* 0: no expiry known */
	char		 jail[32];
	int		 score;
	char		 by[32];	/* who banned by hand, or "" */
};

/* An address and its score, for neighbours and related offenders. */
struct report_peer {
	struct addr	 addr;
	int		 score;
	int		 banned;
};

enum report_dnsbl_status {
	REPORT_DNSBL_NOANSWER,	/* timeout, SERVFAIL, refused, error code */
	REPORT_DNSBL_CLEAN,	/* NXDOMAIN or no A record */
	REPORT_DNSBL_LISTED	/* a 127.0.0.0/8 answer */
};

struct report_dnsbl {
	char			 zone[128];
	enum report_dnsbl_status status;
	char			 answer[16];	/* "127.0.0.2" when listed */
};

/*
 * Every array is malloc'd and freed by report_free; fill them with the
 * report_add_* functions (or allocate them yourself with malloc).
 */
struct report {
	struct addr		 addr;
	int			 score;
	int			 threshold;	/* 0 means 100 */
	int64_t			 generated_ms;
	int64_t			 first_ms;	/* first seen */
	int64_t			 last_ms;	/* last seen */
	unsigned long long	 hits;
	struct geo		 geo;

	struct report_event	*events;
	size_t			 nevents;
	struct report_kind	*kinds;		/* none: taken from events */
	size_t			 nkinds;

	struct report_sample	*samples;
	size_t			 nsamples;
	unsigned long long	 nrequests;
	unsigned long long	 n404;
	unsigned long long	 ndanger;

	int			 banned;
	struct report_ban	 ban;		/* when banned */
	unsigned		 times_banned;	/* before this ban */
	struct report_ban	*earlier;
	size_t			 nearlier;

	struct prefix		 subnet;	/* len 0: /24 or /48 of addr */
	int			 subnet_banned;
	struct report_peer	*neighbours;
	size_t			 nneighbours;
	struct report_peer	*top_country;
	size_t			 ntop_country;
	struct report_peer	*top_asn;
	size_t			 ntop_asn;

	struct report_dnsbl	*dnsbl;		/* NULL: section left out */
	size_t			 ndnsbl;
};

/* Zeroes the report and sets its geo fields to unknown. */
void	 report_init(struct report *);

/* Frees the arrays and zeroes the report. */
void	 report_free(struct report *);

/*
 * Append one zeroed element to an array of the report and return it
 * (owned by the report), or NULL when out of memory.
 */
struct report_event	*report_add_event(struct report *);
struct report_kind	*report_add_kind(struct report *);
struct report_sample	*report_add_sample(struct report *);
struct report_ban	*report_add_earlier(struct report *);
struct report_peer	*report_add_neighbour(struct report *);
struct report_peer	*report_add_top_country(struct report *);
struct report_peer	*report_add_top_asn(struct report *);
struct report_dnsbl	*report_add_dnsbl(struct report *);

/*
 * The verdict word of a score: under half the threshold "low", under
 * the threshold "watch", under 1.5 times it "block", else "critical"
 * (with the default 100: 50, 100, 150). A static string.
 */
const char	*report_verdict(int score, int threshold);

/* The sum of the points of every event. */
long long	 report_event_sum(const struct report *);

/*
 * Writes the report to out. redact replaces the hosts of the sample
 * requests with [redacted]. Returns 0, or -1 on a write error or when
 * out of memory.
 */
int	 report_write(const struct report *, enum report_format, int redact,
	    FILE *out);

/* One line of the index page of report --all. */
struct report_index {
	struct addr	 addr;
	int		 score;
	int		 threshold;
	int		 banned;
	int64_t		 last_ms;
	char		 country_code[8];
	unsigned	 asn;
	char		 asn_org[128];
};

/* Fills an index line from a report. */
void	 report_index_from(struct report_index *, const struct report *);

/*
 * Writes the HTML index of n addresses, sorted by score (highest
 * first), each linking to ADDR.html beside it. The array is not
 * changed. Returns 0, or -1 on a write error or when out of memory.
 */
int	 report_write_index(const struct report_index *, size_t n,
	    int64_t generated_ms, FILE *out);

/*
 * Queries the A record of the reversed address (IPv6: nibbles) under
 * each of the n zones and fills out[0..n-1]. server is "A.B.C.D:PORT"
 * (or "A.B.C.D") or NULL for resolv.conf; each query waits about
 * timeout_ms (rounded up to whole seconds, the resolver's unit).
 * Returns how many zones answered (listed or clean), or -1 when the
 * resolver cannot be set up or server is malformed.
 */
int	 report_dnsbl(const struct addr *, const char *const *zones, size_t n,
	    int timeout_ms, const char *server, struct report_dnsbl *out);

/* Formats the reversed query name of addr under zone; returns 0 or -1. */
int	 report_dnsbl_name(const struct addr *, const char *zone, char *buf,
	    size_t len);

#endif
