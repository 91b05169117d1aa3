/*
 * The commands of the control socket: permission checks by peer
 * credentials, one handler per command building its JSON answer from
 * the daemon's state, and the Prometheus text of the counters. The
 * socket and its clients are in control.c.
 */
#ifndef ABUSEMOM_CTLCMD_H
#define ABUSEMOM_CTLCMD_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#define CTLCMD_GROUPS_MAX	256
#define CTLCMD_COUNTERS_MAX	64

struct daemon;
struct geoip;

/* Who is on the other end of a connection. */
struct ctlcmd_peer {
	uid_t		 uid;
	gid_t		 gid;
	pid_t		 pid;
	gid_t		 groups[CTLCMD_GROUPS_MAX];	/* supplementary */
	size_t		 ngroups;
};

/* Bans and unbans made through the socket, by jail and reason. */
struct ctlcmd_counter {
	char		 jail[32];
	char		 reason[16];
	unsigned long	 bans, unbans;
};

struct ctlcmd_state {
	struct ctlcmd_counter	 v[CTLCMD_COUNTERS_MAX];
	size_t			 n;
	unsigned long		 requests, errors, denied;
	struct geoip		*geo;	/* opened by the first report */
};

void	 ctlcmd_state_init(struct ctlcmd_state *);
void	 ctlcmd_state_free(struct ctlcmd_state *);

/* Fills the peer's groups from /proc/PID/status "Groups:". */
void	 ctlcmd_proc_groups(struct ctlcmd_peer *);

/*
 * True when the peer may run the command: reading commands need uid 0,
 * the daemon's own uid, or the socket or admin group; changing ones
 * uid 0, the daemon's uid or the admin group. On refusal why says so.
 */
int	 ctlcmd_allowed(const struct daemon *, const struct ctlcmd_peer *,
	    int changes, const char *cmd, char *why, size_t whylen);

/*
 * Decodes one request line, checks the peer and runs the command.
 * Returns the answer for the caller to encode and put; NULL only when
 * out of memory.
 */
struct json_object *ctlcmd_dispatch(struct daemon *, struct ctlcmd_state *,
	    const struct ctlcmd_peer *, const char *line, size_t len);

/*
 * The threat report of addr rendered in format (text, json, html; NULL
 * is text) as the answer's "report" string, with the fields of its
 * index line as "index". redact hides the hosts of sample requests;
 * dnsbl asks the [dnsbl] zones, blocking for up to 8 zones times the
 * timeout. *geo is opened, or reopened when the configuration's paths
 * changed. Returns the answer; a never seen address is "notfound".
 */
struct json_object *ctlcmd_report(struct daemon *, struct geoip **,
	    const char *addr, const char *format, int redact, int dnsbl);

/* Counts the active bans of the ban table by nftables set. */
void	 ctlcmd_set_counts(struct daemon *, int64_t now_ms, size_t *set);

/* Writes the Prometheus text of the counters. Returns 0, or -1. */
int	 ctlcmd_prometheus(struct daemon *, const struct ctlcmd_state *,
	    FILE *out);

#endif
