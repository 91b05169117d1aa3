/*
 * The offender table: one record per scored address with the most
 * points each signature kind reached within its window. The score is
 * the sum of those maxima.
 */
#ifndef ABUSEMOM_SCORE_H
#define ABUSEMOM_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "sig.h"

#define SCORE_KMAX	2	/* window-max candidates kept per kind */

struct kmax {
	uint16_t	 points;
	uint32_t	 expires;	/* log time, seconds */
};

/* Detector state of one address in one jail. */
struct jstate {
	struct jstate	*next;
	uint32_t	 jail;
	uint32_t	 size;
	unsigned char	 data[];
};

#define OFFENDER_DIRTY	0x01	/* changed since score_drain */

struct offender {
	struct offender	*next;		/* hash chain */
	struct offender	*dirty;		/* the list of changed records */
	struct addr	 addr;
	uint8_t		 flags;
	uint16_t	 score;		/* at the last event */
	uint16_t	 peak;		/* highest score reached */
	uint16_t	 bans;		/* times banned so far */
	uint16_t	 samples;	/* sample requests sent to the sink */
	uint32_t	 hits;		/* lines seen */
	uint32_t	 gen;		/* the last line counted */
	uint32_t	 sgen;		/* the last line sampled */
	int64_t		 first_ms, last_ms, peak_ms;
	int64_t		 ban_until_ms;	/* its last ban's end; 0: none */
	uint16_t	 peak_kind[SIG_NKINDS];
	struct kmax	 km[SIG_NKINDS][SCORE_KMAX];
	struct jstate	*js;
};

struct score_table;

/* A table that keeps at most max_tracked addresses. NULL on ENOMEM. */
struct score_table *score_new(size_t max_tracked);
void		 score_free(struct score_table *);
void		 score_set_max(struct score_table *, size_t max_tracked);

/*
 * Finds the address; with create, adds it (evicting the stalest
 * low-score addresses past max_tracked). NULL when absent or ENOMEM.
 */
struct offender	*score_get(struct score_table *, const struct addr *,
		    int create);

/* The zeroed or existing detector state of o in a jail. */
void		*score_jstate(struct offender *, uint32_t jail, size_t size);

/* Forgets every detector state (on reload, when jails change). */
void		 score_drop_jstates(struct score_table *);

/*
 * Records that kind reached points at t for window_ms. Returns 1 when
 * this raised the kind's current maximum (a new signature event).
 */
int		 score_add(struct offender *, enum sig_kind, uint32_t points,
		    int64_t t_ms, int64_t window_ms);

/* The score at t; kinds (may be NULL) gets each kind's maximum. */
uint32_t	 score_compute(const struct offender *, int64_t t_ms,
		    uint16_t *kinds);

/* low, watch, block or critical for a score against the threshold. */
const char	*score_verdict(uint32_t score, uint32_t threshold);

/* Puts o on the list of changed records, once. */
void		 score_mark(struct score_table *, struct offender *);

/* Calls cb for every changed record and empties the list. */
void		 score_drain(struct score_table *,
		    void (*cb)(void *, struct offender *), void *arg);

void		 score_foreach(struct score_table *,
		    void (*cb)(void *, struct offender *), void *arg);

struct score_stats {
	size_t		 tracked;
	unsigned long	 evicted;
	size_t		 bytes;		/* records and detector state */
};
void		 score_stats(const struct score_table *, struct score_stats *);

#endif
