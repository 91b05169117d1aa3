/*
 * The store: one SQLite file in WAL mode holding active bans, ban
 * history, offenders with their signature events and sample requests,
 * and the read positions of watched files.
 *
 * Writes never touch the disk when they are made: every store_*_add and
 * store_*_put call copies its record into an in-memory queue, and
 * store_flush writes the whole queue in one transaction, once a loop
 * turn. Ban records (add, remove, expire) are never dropped; the other
 * records are bounded (STORE_QUEUE_MAX, store_set_limits) and the
 * oldest of them go first when the queue grows past its limit: while a
 * failing disk holds the queue, or when one loop turn queues more than
 * the limit (the daemon bounds its turns, or flushes early when
 * store_stats says queued is near the limit).
 *
 * The daemon queues its bans, calls store_flush, and only then sends the
 * kernel write: when store_flush returns 0 every ban queued before it is
 * on disk and survives a kill -9. When it returns -1 (read-only or full
 * disk) the daemon bans anyway; the records stay queued and a later
 * flush writes them.
 *
 * Every read first tries to flush, so it sees the caller's own writes;
 * when that flush fails the read sees what is on disk. Read callbacks
 * return 0 to go on and non-zero to stop; the records they get are only
 * valid during the call.
 *
 * Addresses are stored as a family and a 16-byte BLOB (an IPv4 address
 * in the first four bytes, the rest zero), so that an address or prefix
 * lookup is a range query on an index. Times are wall-clock ms.
 */
#ifndef ABUSEMOM_STORE_H
#define ABUSEMOM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define STORE_SCHEMA_VERSION	2
#define STORE_QUEUE_MAX		65536	/* non-ban records queued */
#define STORE_SAMPLES_MAX	20	/* sample requests per address */

struct store;

struct store_ban {
	struct prefix	 prefix;	/* an address is a /32 or /128 */
	int		 subnet;	/* 1 for a subnet ban */
	char		 jail[32];
	int		 score;
	char		 verdict[12];
	int64_t		 since_ms;
	int64_t		 expires_ms;	/* 0 = never */
	int		 count;		/* which ban of this address */
	char		 reason[128];
	char		 by[32];	/* "auto", "manual", a user */
	char		 signatures[256];	/* {"burst":35,"danger":60} */
};

/* One row of ban history: a ban, or the lifting of one ("unban"). */
struct store_hist {
	char		 action[8];	/* "ban" or "unban" */
	int64_t		 time_ms;
	struct store_ban ban;		/* for an unban: reason = why */
};

struct store_offender {
	struct addr	 addr;
	int64_t		 first_ms, last_ms;
	uint64_t	 hits;
	int		 score;
	char		 verdict[12];
};

struct store_sigevent {
	char		 kind[16];	/* "burst", "ratio404", ... */
	char		 desc[128];
	int		 points;
	int64_t		 time_ms;	/* log time */
	char		 jail[32];
};

struct store_sample {
	int64_t		 time_ms;
	char		 method[16];
	char		 path[512];
	int		 status;
	char		 ua[256];
	char		 host[128];
};

/* An address near another one: scored, banned, or both. */
struct store_neighbour {
	struct prefix	 prefix;
	int		 banned;	/* an active ban covers it */
	int		 score;		/* the offender's, or the ban's */
	char		 verdict[12];
	int64_t		 last_ms;	/* last seen, or ban start */
};

struct store_stats {
	unsigned long	 flushes;	/* transactions committed */
	unsigned long	 rows;		/* records written */
	unsigned long	 errors;	/* failed flushes */
	unsigned long	 dropped;	/* non-ban records dropped */
	unsigned long	 queued;	/* records waiting now */
};

/*
 * Opens or creates the database at path (its directory must exist),
 * switches it to WAL and creates or upgrades the schema in place.
 * Returns a store the caller closes with store_close, or NULL after
 * logging why (a schema newer than this program is refused).
 */
struct store	*store_open(const char *path);

/* Flushes what is queued (logging a failure) and frees the store. */
void	 store_close(struct store *);

/*
 * Limits: non-ban records kept queued while the disk fails, and sample
 * requests kept per address. 0 keeps a limit as it is.
 */
void	 store_set_limits(struct store *, size_t queue_max,
	    unsigned int samples_max);

/*
 * Writes every queued record in one transaction. Returns 0 when all are
 * on disk, or -1 when the disk failed: the queue is kept, the error
 * counted and logged (rate-limited), and the next call tries again.
 */
int	 store_flush(struct store *);

/* Returns how many ban records wait in the queue. */
size_t	 store_pending_bans(const struct store *);

/* Copies the counters into *out. */
void	 store_stats(const struct store *, struct store_stats *out);

/*
 * Test hook: makes every flush fail with the SQLite error code errcode
 * (SQLITE_READONLY, SQLITE_FULL, ...) until it is called with 0.
 */
void	 store_test_fail(struct store *, int errcode);

/*
 * Queue writes; none of them does disk I/O. Each returns 0, or -1 when
 * memory is short (a ban) or the record is invalid. Strings are copied
 * and cut to their field's size.
 */

/* Sets the active ban (replacing one on the same prefix and jail) and
 * adds a "ban" history row. */
int	 store_ban_add(struct store *, const struct store_ban *);

/*
 * Lifts the active bans on prefix p (NULL = every prefix) in jail
 * (NULL = every jail) whose subnet flag is subnet (-1 = either), adding
 * one "unban" history row for each with by and why.
 */
int	 store_ban_remove(struct store *, const struct prefix *p, int subnet,
	    const char *jail, const char *by, const char *why);

/* Deletes active bans that expired at now_ms (history keeps them). */
int	 store_bans_expire(struct store *, int64_t now_ms);

/*
 * Deletes offenders last seen before before_ms, signature events older
 * than it and the samples of deleted offenders. Ban history is kept:
 * it makes repeat offenders' bans grow.
 */
int	 store_purge(struct store *, int64_t before_ms);

/* Sets an offender's row (insert or replace). */
int	 store_offender_put(struct store *, const struct addr *,
	    int64_t first_ms, int64_t last_ms, uint64_t hits, int score,
	    const char *verdict);

int	 store_sigevent_add(struct store *, const struct addr *,
	    const char *kind, const char *desc, int points, int64_t time_ms,
	    const char *jail);

/*
 * Adds a sample request. Per address the store keeps the first half of
 * samples_max (rounded up: how the address started) and the latest
 * rest (what it does now); the ones between are deleted at flush.
 */
int	 store_sample_add(struct store *, const struct addr *,
	    int64_t time_ms, const char *method, const char *path,
	    int status, const char *ua, const char *host);

/* Read position of a watched file; paths longer than 1023 are refused. */
int	 store_position_put(struct store *, const char *path, uint64_t dev,
	    uint64_t ino, uint64_t offset, uint64_t head_hash);

/* A named journald cursor (up to 511 bytes). */
int	 store_cursor_put(struct store *, const char *name,
	    const char *cursor);

/*
 * Reads. Each returns 0 when done (or stopped by its callback), -1 on a
 * database error (logged).
 */

/* Calls cb for every active ban with expires_ms 0 or past now_ms. */
int	 store_bans_active(struct store *, int64_t now_ms,
	    int (*cb)(void *, const struct store_ban *), void *arg);

/*
 * Returns how many times a ban covered the address before (history rows
 * plus queued bans): host bans (its address or IPv6 /64) when subnet is
 * 0, subnet bans when 1. Returns -1 on error.
 */
int	 store_ban_times(struct store *, const struct addr *, int subnet);

/* Returns 1 and fills *out when the address is an offender, 0 when
 * not, -1 on error. */
int	 store_offender_get(struct store *, const struct addr *,
	    struct store_offender *out);

/* Signature events of an address, oldest first. */
int	 store_sigevents(struct store *, const struct addr *,
	    int (*cb)(void *, const struct store_sigevent *), void *arg);

/* Sample requests of an address, oldest first. */
int	 store_samples(struct store *, const struct addr *,
	    int (*cb)(void *, const struct store_sample *), void *arg);

/* Ban history rows whose prefix covers the address, oldest first. */
int	 store_history(struct store *, const struct addr *,
	    int (*cb)(void *, const struct store_hist *), void *arg);

/*
 * Offenders inside p and active host bans inside p at now_ms, in
 * address order (offenders first, then bans of addresses that are not
 * offenders).
 */
int	 store_neighbours(struct store *, const struct prefix *p,
	    int64_t now_ms, int (*cb)(void *, const struct store_neighbour *),
	    void *arg);

/* The n worst offenders by score, or by hits when by_hits is set. */
int	 store_top(struct store *, unsigned int n, int by_hits,
	    int (*cb)(void *, const struct store_offender *), void *arg);

/*
 * For restoring scores at start: every offender last seen at or after
 * since_ms, with its signature events from since_ms on (oldest first,
 * nev may be 0). The array is valid during the call only.
 */
int	 store_offenders_all(struct store *, int64_t since_ms,
	    int (*cb)(void *, const struct store_offender *,
	    const struct store_sigevent *ev, size_t nev), void *arg);

/* Returns 1 and fills the outputs when path has a position, 0 when it
 * has none, -1 on error. */
int	 store_position_get(struct store *, const char *path, uint64_t *dev,
	    uint64_t *ino, uint64_t *offset, uint64_t *head_hash);

/* Returns 1 with the cursor copied into buf (cut to len), 0, or -1. */
int	 store_cursor_get(struct store *, const char *name, char *buf,
	    size_t len);

#endif
