/*
 * abusemomd: check a configuration (-t), replay files through the
 * pipeline (--replay), or run as the daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "replay.h"
#include "version.h"

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: abusemomd [-tv] [-c dir]\n"
	    "       abusemomd [-c dir] --replay file ... [--jail name,...] "
	    "[--json]\n"
	    "       abusemomd -V\n");
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "replay", no_argument, NULL, 'r' },
		{ "jail", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*dir = "/etc/abusemom", *jails = NULL;
	char		 err[1024];
	struct conf	*c;
	int		 ch, test = 0, replay = 0, json = 0, verbose = 0, rv;

	while ((ch = getopt_long(argc, argv, "c:tvVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			dir = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'r':
			replay = 1;
			break;
		case 'j':
			jails = optarg;
			break;
		case 'J':
			json = 1;
			break;
		case 'V':
			printf("abusemomd %s\n", ABUSEMOM_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if ((replay && argc == 0) || (!replay && argc > 0) ||
	    (test && replay) ||
	    (!replay && (jails != NULL || json)))
		usage(2);
	log_init(LOG_TO_STDERR, LOG_NOTICE + verbose, "abusemomd");
	if ((c = conf_load(dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "abusemomd: %s\n", err);
		return 1;
	}
	if (test) {
		conf_print(c, stdout);
		printf("configuration ok\n");
		conf_free(c);
		return 0;
	}
	if (replay) {
		rv = replay_run(c, argv, argc, jails, json, stdout);
		conf_free(c);
		return rv;
	}
	return daemon_run(c, dir, verbose);
}
