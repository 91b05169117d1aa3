/*
 * Configuration: abusemom.conf, jails.d/ and filters.d/ read with
 * iniparser, every key in one table with its type, bounds and default.
 */
#ifndef ABUSEMOM_CONF_H
#define ABUSEMOM_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "filter.h"
#include "sig.h"

#define CONF_PATH_MAX	1024
#define CONF_NAME_MAX	32

struct logpath {
	char		*glob;
	int		 head;		/* read a new file from its start */
};

struct jail_conf {
	char		*name;
	char		*file;		/* where it was defined */
	int		 enabled;
	struct logpath	*logpath;
	size_t		 nlogpath;
	char		*journalmatch;	/* logpath = journal */
	char		*filter;
	size_t		 filter_idx;
	char		*signatures;
	int64_t		 bantime;	/* seconds */
	struct sig_conf	 sig;
};

struct filter_entry {
	struct filter_conf	 fc;
	struct filter		*filter;
	struct sig_match	*match;
};

struct conf {
	char		*dir;
	/* [daemon] */
	char		*socket;
	char		*socket_group;
	char		*admin_group;
	char		*database;
	char		*loglevel;
	char		*log_target;
	long long	 max_tracked;
	char		*metrics_file;
	char		*journal_dir;
	/* [firewall] */
	char		*backend;
	char		*table;
	char		*hooks;
	char		*action;
	long long	 set_size;
	/* [ban] */
	long long	 threshold;
	long long	 bantime;
	long long	 bantime_factor;
	long long	 bantime_max;
	long long	 ipv6_prefix;
	/* [subnet] */
	int		 subnet_enabled;
	long long	 prefix4;
	long long	 prefix6;
	long long	 neighbours;
	long long	 subnet_window;
	long long	 subnet_bantime;
	/* [ignore] */
	struct addrlist	 ignore;
	int		 ignore_self;
	/* [proxy] */
	struct addrlist	 trusted;
	/* [geoip] */
	char		*city_db;
	char		*asn_db;
	char		*hosting_asns;
	/* [dnsbl] */
	char		*dnsbl_zones;
	char		*dnsbl_server;
	long long	 dnsbl_timeout;

	struct jail_conf *jails;
	size_t		 njails;
	struct filter_entry *filters;
	size_t		 nfilters;
	char		**warnings;	/* shown by -t */
	size_t		 nwarnings;
};

/*
 * Loads DIR/abusemom.conf (and .local), DIR/jails.d and DIR/filters.d.
 * Returns a new conf, or NULL with a message naming file, section and
 * key in err. An absent file or directory means defaults.
 */
struct conf	*conf_load(const char *dir, char *err, size_t errlen);
void		 conf_free(struct conf *);

/* Prints what -t shows: enabled jails with files, filter, signatures. */
void		 conf_print(const struct conf *, FILE *);

/* The jail named, or NULL. */
struct jail_conf *conf_jail(const struct conf *, const char *name);

#endif
