/*
 * The daemon: one poll() loop over inotify, signals, a timer, netlink,
 * the journal and the control socket. The control module reaches the
 * daemon's state through this header only.
 */
#ifndef ABUSEMOM_DAEMON_H
#define ABUSEMOM_DAEMON_H

#include <stdint.h>

#include "conf.h"
#include "engine.h"

struct store;
struct nft;
struct tail;
struct control;
struct journal;
struct daemon_loop;

struct daemon_stats {
	unsigned long	 nft_errors;	/* failed commits */
	unsigned long	 store_errors;	/* failed flushes */
	unsigned long	 reconciles;	/* table rebuilt or resynced */
	unsigned long	 unbans;	/* lifted by hand or by reload */
	int64_t		 loop_max_us;	/* longest loop turn */
	int64_t		 loop_last_us;
};

/* Lines of one file that no filter of its jails could parse. */
struct daemon_unparsed {
	char		*path;
	unsigned long	 n;
};

struct daemon {
	struct conf		*conf;
	char			*dir;
	struct engine		*engine;
	struct store		*store;
	struct nft		*nft;		/* NULL: backend = none */
	struct tail		*tail;
	struct journal		*journal;	/* NULL: no journal jail */
	struct control		*control;
	struct daemon_loop	*loop;		/* the running loop */
	int64_t			 start_ms;	/* wall clock */
	int			 table_ok;	/* our table is in place */
	int			 pending_nft;	/* element writes queued */
	struct daemon_stats	 st;
	struct daemon_unparsed	*unparsed;
	size_t			 nunparsed;
};

/* Lines of path that no filter could parse so far. */
unsigned long daemon_file_unparsed(const struct daemon *, const char *path);

/* Runs until TERM or INT; takes ownership of c. Returns exit status. */
int	 daemon_run(struct conf *c, const char *dir, int verbose);

/*
 * A manual ban through the same path as automatic ones: engine, store,
 * then kernel. by is "uid N". Returns 0, or -1.
 */
int	 daemon_ban(struct daemon *, const struct prefix *, const char *jail,
	    int64_t bantime, const char *by, const char *reason);

/*
 * Lifts the ban of exactly this prefix (jail NULL: from every jail) in
 * engine, store and kernel. Returns the number of bans lifted.
 */
int	 daemon_unban(struct daemon *, const struct prefix *, const char *jail,
	    const char *by, const char *why);

/*
 * Re-reads the configuration; on error keeps the running one and
 * writes the message (file, section, key) into err. Returns 0, or -1.
 */
int	 daemon_reload(struct daemon *, char *err, size_t errlen);

#endif
