/*
 * Detection signatures: the eight kinds of DESIGN.md, their per-jail
 * configuration (trigger tiers and points) and the detectors that turn
 * events into points.
 */
#ifndef ABUSEMOM_SIG_H
#define ABUSEMOM_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum sig_kind {
	SIG_RATIO404,
	SIG_BURST,
	SIG_DANGER,
	SIG_REFERER,
	SIG_PROBE302,
	SIG_UACHANGE,
	SIG_BADUA,
	SIG_AUTHFAIL,
	SIG_NKINDS
};

#define SIG_MAXTIERS	8

/* One trigger level: at least `at` (count, percent) gives `points`. */
struct sig_tier {
	uint32_t	 at;
	uint32_t	 points;
};

struct sig_tiers {
	struct sig_tier	 t[SIG_MAXTIERS];	/* ascending by at */
	size_t		 n;
};

/* The signature settings of one jail. */
struct sig_conf {
	unsigned	 mask;			/* 1 << enum sig_kind */
	int64_t		 window_ms;
	struct sig_tiers ratio404;		/* percent of 404s */
	struct sig_tiers ratio404_count;	/* 404s, at the top ratio */
	uint32_t	 ratio404_min;		/* requests before it counts */
	struct sig_tiers burst;			/* requests within burst_span */
	int64_t		 burst_span_ms;
	char		**static_ext;		/* left out of burst */
	int		 burst_own_referer;	/* nor a page's fetches */
	uint32_t	 danger_medium, danger_medium_max;
	uint32_t	 danger_high, danger_high_max;
	uint32_t	 referer;
	struct sig_tiers probe302;		/* paths 302 then 404 */
	struct sig_tiers uachange;		/* distinct User-Agents */
	uint32_t	 badua;
	uint32_t	 authfail, authfail_max;
	char		**own_domains;		/* for referer */
	/* The state layout, set by sig_layout(). */
	size_t		 off[SIG_NKINDS];
	size_t		 size;
	uint8_t		 kinds[SIG_NKINDS];	/* the enabled ones */
	uint8_t		 nkinds;
	uint32_t	 burst_k, ua_k, probe_k, dm_k, dh_k, auth_k;
};

/* What the whole pipeline knows of one event, computed once per line. */
struct sig_info {
	int64_t		 t;		/* ms */
	int		 danger;	/* 0 none, 1 medium, 2 high */
	int		 badua;
	uint32_t	 ua_hash;
	uint32_t	 path_hash;	/* path without query */
};

/* A detector's verdict on one event for one kind. */
struct sig_hit {
	enum sig_kind	 kind;
	uint32_t	 points;
	uint32_t	 count;		/* what reached the tier */
	uint32_t	 extra;		/* danger: high count; ratio404: 404s */
};

/* The danger and bad User-Agent patterns of one filter. */
struct sig_match;

/* Returns the kind's name ("ratio404"), or NULL. */
const char	*sig_name(enum sig_kind);
int		 sig_kind_parse(const char *name);	/* -1 if unknown */

/* Fills sc with the compiled-in defaults. */
void		 sig_conf_defaults(struct sig_conf *sc);
void		 sig_conf_free(struct sig_conf *sc);
/* Parses "5:35 10:60 20:100"; returns 0, or -1. */
int		 sig_tiers_parse(struct sig_tiers *, const char *s);
void		 sig_tiers_format(const struct sig_tiers *, char *, size_t);

/*
 * Compiles the danger lists and the bad User-Agent pattern (NULL means
 * the compiled-in default). Returns NULL with *err and *errkey set.
 */
struct sig_match *sig_match_new(const char *medium, const char *high,
		    const char *badua, char *err, size_t errlen,
		    const char **errkey);
void		 sig_match_free(struct sig_match *);

/*
 * Fills info for ev once per line and filter: hashes, and the danger
 * and bad User-Agent matches when mask (1 << kind) asks for them.
 */
void		 sig_info_fill(struct sig_match *, unsigned mask,
		    const struct event *ev, struct sig_info *info);

/*
 * Computes the detector state layout of a jail; returns the bytes one
 * address needs. State starts zeroed.
 */
size_t		 sig_layout(struct sig_conf *);

/* Writes a description of a hit ("Burst 5/2s") into buf. */
void		 sig_describe(const struct sig_conf *, const struct sig_hit *,
		    char *buf, size_t len);
/*
 * Writes each kind's points, those above zero, as a JSON object into
 * buf: {"burst":35,"danger":60}. Names need no escaping.
 */
void		 sig_kinds_json(const uint16_t *kinds, char *buf, size_t len);



/*
 * Runs every enabled detector of the jail over one event; writes up to
 * SIG_NKINDS hits with points above zero and returns their number.
 */
size_t		 sig_observe(const struct sig_conf *, void *state,
		    const struct event *, const struct sig_info *,
		    struct sig_hit *hits);

/*
 * Decodes %XX (twice, against double encoding), lowers ASCII, folds //
 * and /./ into out; keeps .. so traversal stays visible. Returns length.
 */
size_t		 sig_normalise_path(const char *p, size_t len, char *out,
		    size_t outlen);

#endif
