/*
 * The ban table: active bans by prefix (an IPv4 address, an IPv6 /64,
 * or a subnet), with their expiry on log time, and the neighbour
 * records that decide subnet escalation.
 */
#ifndef ABUSEMOM_BAN_H
#define ABUSEMOM_BAN_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define BAN_JAIL_MAX	32

struct ban {
	struct ban	*next;
	struct prefix	 prefix;
	uint8_t		 subnet;
	uint16_t	 count;		/* times banned, this one included */
	uint32_t	 score;
	int64_t		 since_ms, until_ms;
	char		 jail[BAN_JAIL_MAX];
};

struct bantable;

struct bantable	*ban_new(void);
void		 ban_free(struct bantable *);

/* The ban of exactly this prefix, active or not; NULL if none. */
struct ban	*ban_find(struct bantable *, const struct prefix *);

/*
 * The active ban that covers a, preferring a single ban over a subnet
 * ban; NULL if none is active at now_ms.
 */
struct ban	*ban_covering(struct bantable *, const struct addr *,
		    int64_t now_ms, int v6len, int len4, int len6);

/* Adds or refreshes a ban; returns it, or NULL on ENOMEM. */
struct ban	*ban_put(struct bantable *, const struct prefix *, int subnet,
		    const char *jail, uint32_t score, int64_t since_ms,
		    int64_t until_ms, uint16_t count);

/* Removes the ban of this prefix; returns 0, or -1 if there was none. */
int		 ban_remove(struct bantable *, const struct prefix *);

/*
 * Notes that unit (an address or /64) inside net was banned at t.
 * Returns how many distinct units of net were banned within window_ms.
 */
size_t		 ban_note_neighbour(struct bantable *, const struct prefix *net,
		    const struct prefix *unit, int64_t t_ms, int64_t window_ms,
		    size_t keep);

/* Calls cb for every ban still active at now_ms (0: every ban). */
void		 ban_foreach(struct bantable *, int64_t now_ms,
		    void (*cb)(void *, struct ban *), void *arg);

size_t		 ban_count(struct bantable *, int64_t now_ms, int subnet);

#endif
