/*
 * The control socket: one JSON request per line, one JSON answer per
 * line, over a UNIX socket whose peers are told apart by SO_PEERCRED.
 * The protocol itself is in proto.h and docs/protocol.md.
 */
#ifndef ABUSEMOM_CONTROL_H
#define ABUSEMOM_CONTROL_H

#include <poll.h>
#include <stdio.h>

#define CONTROL_CLIENTS_MAX	512	/* connections served at once */
#define CONTROL_POLLFDS_MAX	(CONTROL_CLIENTS_MAX + 1)
#define CONTROL_IDLE_MS		30000	/* a client silent that long goes */
#define CONTROL_OUT_MAX		(64 * 1024 * 1024)	/* one answer */
#define CONTROL_METRICS_S	15	/* metrics_file interval */

struct daemon;
struct control;

/*
 * Creates the socket (mode 0660, group [daemon] socket_group). A stale
 * socket is replaced; a live one (another daemon answering) is an
 * error. Returns NULL with a message logged.
 */
struct control	*control_open(struct daemon *);

/* Closes every client and removes the socket if it is still ours. */
void		 control_close(struct control *);

/*
 * Adds the listening socket and every client to pfd (at most max
 * entries; CONTROL_POLLFDS_MAX serves every client); returns count.
 */
int		 control_pollfds(struct control *, struct pollfd *pfd, int max);

/* Serves whatever poll() reported ready among those entries. */
void		 control_handle(struct control *, const struct pollfd *pfd,
		    int n);

/* Once a second: client timeouts, the metrics file every 15 s. */
void		 control_tick(struct control *);

/*
 * Writes the Prometheus text exposition of the daemon's counters to
 * out. Returns 0, or -1 on a write error.
 */
int		 control_prometheus(struct control *, FILE *out);

#endif
