/*
 * The control socket: one JSON request per line, one JSON answer per
 * line, over a UNIX socket whose peers are told apart by SO_PEERCRED.
 */
#ifndef ABUSEMOM_CONTROL_H
#define ABUSEMOM_CONTROL_H

#include <poll.h>

struct daemon;
struct control;

/*
 * Creates the socket (mode 0660, group [daemon] socket_group). A stale
 * socket is replaced; a live one (another daemon answering) is an
 * error. Returns NULL with a message logged.
 */
struct control	*control_open(struct daemon *);
void		 control_close(struct control *);

/* Adds the listening socket and every client to pfd; returns count. */
int		 control_pollfds(struct control *, struct pollfd *pfd, int max);

/* Serves whatever poll() reported ready among those entries. */
void		 control_handle(struct control *, const struct pollfd *pfd,
		    int n);

/* Once a second: client timeouts, the metrics file every 15 s. */
void		 control_tick(struct control *);

#endif
