/* Offline replay: the whole pipeline over files, on log time. */
#ifndef ABUSEMOM_REPLAY_H
#define ABUSEMOM_REPLAY_H

#include <stdio.h>

#include "conf.h"

/*
 * Feeds each file to every enabled jail (or those in the comma list
 * jails), printing one line per decision, then the offenders and a
 * summary, as text or JSON lines. Returns the exit status: 0, or 1 for
 * an unknown jail or an unreadable file (named on stderr).
 */
int	 replay_run(struct conf *, char *const *files, int nfiles,
	    const char *jails, int json, FILE *out);

#endif
