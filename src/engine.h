/*
 * The detection pipeline: a line goes through its jail's filter once,
 * then the proxy and ignore rules, the jail's signatures, the offender
 * table and the ban rules. Decisions go to a sink: the replay printer
 * or the daemon's store and firewall.
 */
#ifndef ABUSEMOM_ENGINE_H
#define ABUSEMOM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "ban.h"
#include "conf.h"
#include "score.h"
#include "sig.h"

#define ENGINE_SAMPLES	10	/* sample requests sent per address */

struct decision {
	int		 subnet;
	struct prefix	 prefix;
	struct addr	 addr;		/* the address that caused it */
	const char	*jail;		/* "subnet" for subnet bans */
	uint32_t	 score;
	const char	*verdict;
	uint16_t	 kinds[SIG_NKINDS];	/* each kind's points */
	int64_t		 time_ms;	/* log time of the ban */
	int64_t		 bantime;	/* seconds */
	uint32_t	 count;		/* times banned, this one included */
	const char	*by;		/* "auto" or "uid N" */
	const char	*reason;
};

struct engine_sink {
	void	(*ban)(void *arg, const struct decision *);
	void	(*sigevent)(void *arg, const struct offender *,
		    const struct sig_hit *, const char *desc,
		    const char *jail, int64_t t_ms);
	void	(*sample)(void *arg, const struct offender *,
		    const struct event *, const char *jail);
	void	*arg;
};

struct engine_jstats {
	unsigned long	 lines, parsed, unparsed, hits, bans;
};

struct engine_stats {
	unsigned long	 lines, parsed, unparsed, ignored, proxied, future;
	unsigned long	 bans, subnet_bans;
	unsigned long	 hits[SIG_NKINDS];
};

struct engine;

/* A pipeline over conf (borrowed, kept until engine_set_conf). */
struct engine	*engine_new(struct conf *, const struct engine_sink *);
void		 engine_free(struct engine *);

/*
 * Swaps in a new configuration, keeping offenders, scores and bans;
 * detector states are reset since jails may have changed.
 */
void		 engine_set_conf(struct engine *, struct conf *);

/*
 * Feeds one line (no newline) to the jails given by index. now_ms is
 * the arrival time, or 0 in replay (log time only). Returns 1 when at
 * least one jail's filter parsed it, 0 when none could.
 */
int		 engine_feed(struct engine *, const size_t *jails, size_t n,
		    const char *line, size_t len, int64_t now_ms);

/*
 * A manual ban of prefix through the same path as automatic ones.
 * Returns 0, or -1 on ENOMEM.
 */
int		 engine_ban_manual(struct engine *, const struct prefix *,
		    const char *jail, int64_t bantime, int64_t now_ms,
		    const char *by, const char *reason);

/*
 * Lifts the ban of exactly this prefix; 0, or -1 when there is none.
 * The addresses it covered start again from a score of 0, so the next
 * request of a lifted address does not ban it again at once.
 */
int		 engine_unban(struct engine *, const struct prefix *);

/* Restores a ban read from the store (no sink call). */
void		 engine_restore_ban(struct engine *, const struct prefix *,
		    int subnet, const char *jail, uint32_t score,
		    int64_t since_ms, int64_t until_ms, uint16_t count);

/* The unit a single ban of a uses: a /32, or its IPv6 /64. */
void		 engine_unit(const struct engine *, const struct addr *,
		    struct prefix *);
/* The subnet of a for escalation: its /24 or /48. */
void		 engine_subnet(const struct engine *, const struct addr *,
		    struct prefix *);

struct score_table *engine_scores(struct engine *);
struct bantable	*engine_bans(struct engine *);
const struct engine_stats *engine_stats(const struct engine *);
const struct engine_jstats *engine_jstats(const struct engine *,
		    size_t jail);
const struct conf *engine_conf(const struct engine *);

#endif
