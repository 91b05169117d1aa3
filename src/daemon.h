/* The daemon: the event loop over logs, firewall, store and control. */
#ifndef ABUSEMOM_DAEMON_H
#define ABUSEMOM_DAEMON_H

#include "conf.h"

/* Runs until TERM or INT; takes ownership of c. Returns exit status. */
int	 daemon_run(struct conf *c, const char *dir, int verbose);

#endif
