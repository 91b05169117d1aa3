/*
 * Configuration loading. Every key is a row of a table with its type,
 * bounds and default; defaults go through the same setters as values
 * from disk, so a default can never be out of range.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <ifaddrs.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <stdarg.h>

#include <iniparser.h>

#include "conf.h"
#include "log.h"
#include "util.h"

enum conf_type {
	CT_STR,		/* char * */
	CT_INT,		/* long long within [min, max] */
	CT_DUR,		/* long long seconds within [min, max] */
	CT_BOOL,	/* int */
	CT_ENUM,	/* char *, one of choices */
	CT_ADDRS,	/* struct addrlist, added to */
	CT_LOGPATH,	/* jail: struct logpath list */
	CT_SIGS,	/* jail: signature names */
	CT_TIERS,	/* struct sig_tiers */
	CT_U32,		/* uint32_t within [min, max] */
	CT_MS,		/* int64_t ms from a duration */
	CT_LIST		/* char ** from white-space words */
};

struct conf_key {
	const char	*section;	/* NULL: jail or filter keys */
	const char	*key;
	enum conf_type	 type;
	size_t		 off;
	long long	 min, max;
	const char	*def;
	const char	*choices;
};

#define C(f)	offsetof(struct conf, f)
#define J(f)	offsetof(struct jail_conf, f)
#define S(f)	(offsetof(struct jail_conf, sig) + offsetof(struct sig_conf, f))
#define F(f)	offsetof(struct filter_conf, f)
#define DAY	86400LL
#define YEAR	(365 * DAY)

static const struct conf_key main_keys[] = {
	{ "daemon", "socket", CT_STR, C(socket), 0, 0,
	    "/run/abusemom/abusemom.sock", NULL },
	{ "daemon", "socket_group", CT_STR, C(socket_group), 0, 0, "", NULL },
	{ "daemon", "admin_group", CT_STR, C(admin_group), 0, 0, "", NULL },
	{ "daemon", "database", CT_STR, C(database), 0, 0,
	    "/var/lib/abusemom/abusemom.db", NULL },
	{ "daemon", "loglevel", CT_ENUM, C(loglevel), 0, 0, "notice",
	    "crit err warning notice info debug" },
	{ "daemon", "log_target", CT_ENUM, C(log_target), 0, 0, "stderr",
	    "stderr syslog" },
	{ "daemon", "max_tracked", CT_INT, C(max_tracked), 100, 100000000,
	    "1000000", NULL },
	{ "daemon", "metrics_file", CT_STR, C(metrics_file), 0, 0, "", NULL },
	{ "daemon", "journal_dir", CT_STR, C(journal_dir), 0, 0, "", NULL },
	{ "firewall", "backend", CT_ENUM, C(backend), 0, 0, "nftables",
	    "nftables none" },
	{ "firewall", "table", CT_STR, C(table), 1, 64, "abusemom", NULL },
	{ "firewall", "hooks", CT_ENUM, C(hooks), 0, 0, "input",
	    "input|input forward|forward input" },
	{ "firewall", "action", CT_ENUM, C(action), 0, 0, "drop",
	    "drop reject" },
	{ "firewall", "set_size", CT_INT, C(set_size), 16, 16777216,
	    "65536", NULL },
	{ "ban", "threshold", CT_INT, C(threshold), 1, 100000, "100", NULL },
	{ "ban", "bantime", CT_DUR, C(bantime), 1, 10 * YEAR, "1h", NULL },
	{ "ban", "bantime_factor", CT_INT, C(bantime_factor), 1, 100, "2",
	    NULL },
	{ "ban", "bantime_max", CT_DUR, C(bantime_max), 1, 10 * YEAR, "1w",
	    NULL },
	{ "ban", "ipv6_prefix", CT_INT, C(ipv6_prefix), 16, 128, "64", NULL },
	{ "subnet", "enabled", CT_BOOL, C(subnet_enabled), 0, 0, "yes", NULL },
	{ "subnet", "prefix4", CT_INT, C(prefix4), 8, 32, "24", NULL },
	{ "subnet", "prefix6", CT_INT, C(prefix6), 16, 128, "48", NULL },
	{ "subnet", "neighbours", CT_INT, C(neighbours), 2, 1000, "3", NULL },
	{ "subnet", "window", CT_DUR, C(subnet_window), 1, YEAR, "1d", NULL },
	{ "subnet", "bantime", CT_DUR, C(subnet_bantime), 1, 10 * YEAR, "1d",
	    NULL },
	{ "ignore", "addresses", CT_ADDRS, C(ignore), 0, 0, "", NULL },
	{ "ignore", "ignore_self", CT_BOOL, C(ignore_self), 0, 0, "yes",
	    NULL },
	{ "proxy", "trusted", CT_ADDRS, C(trusted), 0, 0, "", NULL },
	{ "geoip", "city_db", CT_STR, C(city_db), 0, 0, "", NULL },
	{ "geoip", "asn_db", CT_STR, C(asn_db), 0, 0, "", NULL },
	{ "geoip", "hosting_asns", CT_STR, C(hosting_asns), 0, 0, "", NULL },
	{ "dnsbl", "zones", CT_STR, C(dnsbl_zones), 0, 0, "", NULL },
	{ "dnsbl", "server", CT_STR, C(dnsbl_server), 0, 0, "", NULL },
	{ "dnsbl", "timeout", CT_INT, C(dnsbl_timeout), 10, 10000, "1000",
	    NULL },
};

static const struct conf_key jail_keys[] = {
	{ NULL, "enabled", CT_BOOL, J(enabled), 0, 0, "no", NULL },
	{ NULL, "logpath", CT_LOGPATH, 0, 0, 0, "", NULL },
	{ NULL, "journalmatch", CT_STR, J(journalmatch), 0, 0, "", NULL },
	{ NULL, "filter", CT_STR, J(filter), 0, 0, "", NULL },
	{ NULL, "signatures", CT_SIGS, J(signatures), 0, 0, "", NULL },
	{ NULL, "window", CT_MS, S(window_ms), 1, 30 * DAY, "10m", NULL },
	{ NULL, "bantime", CT_DUR, J(bantime), 0, 10 * YEAR, "0", NULL },
	{ NULL, "own_domains", CT_LIST, S(own_domains), 0, 0, "", NULL },
	{ NULL, "ratio404.tiers", CT_TIERS, S(ratio404), 1, 100,
	    "40:15 61:25 81:35", NULL },
	{ NULL, "ratio404.count_tiers", CT_TIERS, S(ratio404_count), 1,
	    1000000, "50:70 200:100", NULL },
	{ NULL, "ratio404.min_requests", CT_U32, S(ratio404_min), 1, 100000,
	    "10", NULL },
	{ NULL, "burst.tiers", CT_TIERS, S(burst), 2, 64,
	    "5:35 8:60 10:100", NULL },
	{ NULL, "burst.span", CT_MS, S(burst_span_ms), 1, 3600, "2s", NULL },
	{ NULL, "burst.ignore_ext", CT_LIST, S(static_ext), 0, 0,
	    ".css .js .png .jpg .jpeg .gif .svg .ico .webp .woff .woff2 .map",
	    NULL },
	{ NULL, "burst.own_referer", CT_BOOL, S(burst_own_referer), 0, 0,
	    "yes", NULL },
	{ NULL, "danger.medium_points", CT_U32, S(danger_medium), 0, 1000,
	    "10", NULL },
	{ NULL, "danger.medium_max", CT_U32, S(danger_medium_max), 0, 1000,
	    "60", NULL },
	{ NULL, "danger.high_points", CT_U32, S(danger_high), 0, 1000, "30",
	    NULL },
	{ NULL, "danger.high_max", CT_U32, S(danger_high_max), 0, 1000, "90",
	    NULL },
	{ NULL, "referer.points", CT_U32, S(referer), 0, 1000, "10", NULL },
	{ NULL, "probe302.tiers", CT_TIERS, S(probe302), 1, 64,
	    "1:20 3:40 6:60 10:100", NULL },
	{ NULL, "uachange.tiers", CT_TIERS, S(uachange), 2, 64,
	    "3:25 6:50 12:100", NULL },
	{ NULL, "badua.points", CT_U32, S(badua), 0, 1000, "50", NULL },
	{ NULL, "authfail.points", CT_U32, S(authfail), 0, 1000, "20", NULL },
	{ NULL, "authfail.max", CT_U32, S(authfail_max), 0, 1000, "100",
	    NULL },
};

static const struct conf_key filter_keys[] = {
	{ NULL, "format", CT_STR, F(format), 0, 0, "", NULL },
	{ NULL, "escape", CT_ENUM, F(escape), 0, 0, "default",
	    "default json none" },
	{ NULL, "json_preset", CT_STR, F(json_preset), 0, 0, "", NULL },
	{ NULL, "json_time", CT_STR, F(json_time), 0, 0, "", NULL },
	{ NULL, "json_time_format", CT_STR, F(json_time_format), 0, 0, "",
	    NULL },
	{ NULL, "json_addr", CT_STR, F(json_addr), 0, 0, "", NULL },
	{ NULL, "json_method", CT_STR, F(json_method), 0, 0, "", NULL },
	{ NULL, "json_uri", CT_STR, F(json_uri), 0, 0, "", NULL },
	{ NULL, "json_status", CT_STR, F(json_status), 0, 0, "", NULL },
	{ NULL, "json_referer", CT_STR, F(json_referer), 0, 0, "", NULL },
	{ NULL, "json_user_agent", CT_STR, F(json_user_agent), 0, 0, "",
	    NULL },
	{ NULL, "json_host", CT_STR, F(json_host), 0, 0, "", NULL },
	{ NULL, "datepattern", CT_STR, F(datepattern), 0, 0, "", NULL },
	{ NULL, "logtimezone", CT_STR, F(logtimezone), 0, 0, "", NULL },
	{ NULL, "idents", CT_STR, F(idents), 0, 0, "", NULL },
	{ NULL, "danger_medium", CT_STR, F(danger_medium), 0, 0, "", NULL },
	{ NULL, "danger_high", CT_STR, F(danger_high), 0, 0, "", NULL },
	{ NULL, "badua", CT_STR, F(badua), 0, 0, "", NULL },
};

/* Where an error happened, for messages that name file, section, key. */
struct conf_ctx {
	const char	*file;
	const char	*section;
	char		*err;
	size_t		 errlen;
	const char	*local;		/* the .local read over file */
	dictionary	*ldict;		/* its keys, to name it in errors */
};

static int
conf_fail(struct conf_ctx *cx, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
conf_fail(struct conf_ctx *cx, const char *key, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	char		 entry[256];
	const char	*file = cx->file;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Name the .local when the key (or section) came from it. */
	snprintf(entry, sizeof(entry), "%s%s%s", cx->section,
	    key != NULL ? ":" : "", key != NULL ? key : "");
	if (cx->ldict != NULL && iniparser_find_entry(cx->ldict, entry))
		file = cx->local;
	if (key != NULL)
		snprintf(cx->err, cx->errlen, "%s: [%s] %s: %s", file,
		    cx->section, key, msg);
	else
		snprintf(cx->err, cx->errlen, "%s: [%s]: %s", file,
		    cx->section, msg);
	return -1;
}

static int
conf_enum_ok(const char *choices, const char *v)
{
	char	**w;
	size_t	 i, n;
	int	 ok = 0;

	if (strchr(choices, '|') != NULL) {
		/* Multi-word choices are separated by '|'. */
		const char	*p = choices;

		while (p != NULL) {
			const char	*e = strchr(p, '|');
			size_t		 len = e ? (size_t)(e - p) : strlen(p);

			if (strlen(v) == len && strncmp(p, v, len) == 0)
				return 1;
			p = e ? e + 1 : NULL;
		}
		return 0;
	}
	if ((w = util_split(choices, &n)) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(w[i], v) == 0)
			ok = 1;
	util_freev(w);
	return ok;
}

static int
conf_set_logpath(struct conf_ctx *cx, struct jail_conf *jc, const char *v)
{
	char	**w;
	size_t	 i, n;

	for (i = 0; i < jc->nlogpath; i++)
		free(jc->logpath[i].glob);
	free(jc->logpath);
	jc->logpath = NULL;
	jc->nlogpath = 0;
	if ((w = util_split(v, &n)) == NULL)
		return conf_fail(cx, "logpath", "out of memory");
	jc->logpath = calloc(n + 1, sizeof(*jc->logpath));
	for (i = 0; i < n && jc->logpath != NULL; i++) {
		if (strcmp(w[i], "head") == 0 || strcmp(w[i], "tail") == 0) {
			if (jc->nlogpath == 0) {
				conf_fail(cx, "logpath", "'%s' must follow a "
				    "path", w[i]);
				util_freev(w);
				return -1;
			}
			jc->logpath[jc->nlogpath - 1].head = w[i][0] == 'h';
			continue;
		}
		if (w[i][0] != '/' && strcmp(w[i], "journal") != 0) {
			conf_fail(cx, "logpath", "'%s' is not an absolute path",
			    w[i]);
			util_freev(w);
			return -1;
		}
		jc->logpath[jc->nlogpath++].glob = strdup(w[i]);
	}
	util_freev(w);
	return 0;
}

static int
conf_set_sigs(struct conf_ctx *cx, struct jail_conf *jc, const char *v)
{
	char	**w;
	size_t	 i, n;
	unsigned mask = 0;

	if ((w = util_split(v, &n)) == NULL)
		return conf_fail(cx, "signatures", "out of memory");
	for (i = 0; i < n; i++) {
		int	 k = sig_kind_parse(w[i]);

		if (k < 0) {
			conf_fail(cx, "signatures", "unknown signature '%s'",
			    w[i]);
			util_freev(w);
			return -1;
		}
		mask |= 1u << k;
	}
	util_freev(w);
	jc->sig.mask = mask;
	free(jc->signatures);
	jc->signatures = strdup(v);
	return 0;
}

static int
conf_set_tiers(struct conf_ctx *cx, const struct conf_key *k,
    struct sig_tiers *t, const char *v)
{
	size_t	 i;

	if (sig_tiers_parse(t, v) == -1)
		return conf_fail(cx, k->key, "'%s' is not a list of at most "
		    "%d AT:POINTS in ascending order", v, SIG_MAXTIERS);
	for (i = 0; i < t->n; i++)
		if (t->t[i].at < k->min || t->t[i].at > k->max)
			return conf_fail(cx, k->key, "%u is out of range "
			    "%lld-%lld", t->t[i].at, k->min, k->max);
	return 0;
}

static int
conf_set_num(struct conf_ctx *cx, const struct conf_key *k, void *base,
    const char *v)
{
	long long	 n;
	int		 rv;

	if (k->type == CT_DUR || k->type == CT_MS)
		rv = util_parse_duration(v, &n);
	else
		rv = util_parse_int(v, k->min, k->max, &n);
	if (rv == -1 || n < k->min || n > k->max)
		return conf_fail(cx, k->key, "'%s' is not %s in %lld-%lld",
		    v, k->type == CT_INT || k->type == CT_U32 ? "a number" :
		    "a duration", k->min, k->max);
	if (k->type == CT_U32)
		*(uint32_t *)((char *)base + k->off) = (uint32_t)n;
	else if (k->type == CT_MS)
		*(int64_t *)((char *)base + k->off) = n * 1000;
	else
		*(long long *)((char *)base + k->off) = n;
	return 0;
}

static int
conf_set(struct conf_ctx *cx, const struct conf_key *k, void *base,
    const char *v)
{
	char	*p = (char *)base + k->off;
	char	 bad[64];
	int	 b;

	switch (k->type) {
	case CT_STR:
	case CT_ENUM:
		if (k->type == CT_ENUM && !conf_enum_ok(k->choices, v))
			return conf_fail(cx, k->key, "'%s' is not one of: %s",
			    v, k->choices);
		free(*(char **)p);
		if ((*(char **)p = strdup(v)) == NULL)
			return conf_fail(cx, k->key, "out of memory");
		return 0;
	case CT_INT:
	case CT_DUR:
	case CT_U32:
	case CT_MS:
		return conf_set_num(cx, k, base, v);
	case CT_BOOL:
		if ((b = util_parse_bool(v)) == -1)
			return conf_fail(cx, k->key, "'%s' is not yes or no",
			    v);
		*(int *)p = b;
		return 0;
	case CT_ADDRS:
		if (addrlist_parse((struct addrlist *)p, v, bad,
		    sizeof(bad)) == -1)
			return conf_fail(cx, k->key, "'%s' is not an address "
			    "or CIDR", bad);
		return 0;
	case CT_LOGPATH:
		return conf_set_logpath(cx, base, v);
	case CT_SIGS:
		return conf_set_sigs(cx, base, v);
	case CT_TIERS:
		return conf_set_tiers(cx, k, (struct sig_tiers *)p, v);
	case CT_LIST:
		util_freev(*(char ***)p);
		if ((*(char ***)p = util_split(v, NULL)) == NULL)
			return conf_fail(cx, k->key, "out of memory");
		return 0;
	}
	return -1;
}

/* Sets every key of the table to its default. */
static int
conf_defaults(struct conf_ctx *cx, const struct conf_key *keys, size_t n,
    void *base)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (conf_set(cx, &keys[i], base, keys[i].def) == -1)
			return -1;
	return 0;
}

static const struct conf_key *
conf_find(const struct conf_key *keys, size_t n, const char *section,
    const char *key)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((section == NULL || keys[i].section == NULL ||
		    strcmp(keys[i].section, section) == 0) &&
		    strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

/* Loads NAME.conf and merges NAME.local over it key by key. */
static dictionary *
conf_read_pair(const char *conf, const char *local, struct conf_ctx *cx)
{
	dictionary	*d = NULL, *l;
	struct stat	 sb;
	int		 i, nsec;

	if (conf != NULL && stat(conf, &sb) == 0) {
		cx->file = conf;
		if ((d = iniparser_load(conf)) == NULL) {
			snprintf(cx->err, cx->errlen, "%s: cannot be parsed",
			    conf);
			return NULL;
		}
	}
	cx->local = NULL;
	cx->ldict = NULL;
	if (local == NULL || stat(local, &sb) == -1)
		return d != NULL ? d : dictionary_new(0);
	if ((l = iniparser_load(local)) == NULL) {
		snprintf(cx->err, cx->errlen, "%s: cannot be parsed", local);
		iniparser_freedict(d);
		return NULL;
	}
	if (d == NULL) {
		cx->file = local;	/* A drop-in of its own. */
		return l;
	}
	nsec = iniparser_getnsec(l);
	for (i = 0; i < nsec; i++) {
		const char	*sec = iniparser_getsecname(l, i);
		const char	*keys[512];
		int		 j, nk = iniparser_getsecnkeys(l, sec);

		if (nk > 512)
			nk = 512;
		iniparser_set(d, sec, NULL);
		iniparser_getseckeys(l, sec, keys);
		for (j = 0; j < nk; j++)
			iniparser_set(d, keys[j],
			    iniparser_getstring(l, keys[j], ""));
	}
	cx->local = local;
	cx->ldict = l;		/* Freed by conf_done_pair. */
	return d;
}

static void
conf_done_pair(struct conf_ctx *cx, dictionary *d)
{
	iniparser_freedict(d);
	if (cx->ldict != NULL)
		iniparser_freedict(cx->ldict);
	cx->ldict = NULL;
	cx->local = NULL;
}

/* Applies the keys of one section of d through a key table. */
static int
conf_apply(struct conf_ctx *cx, dictionary *d, const char *sec,
    const struct conf_key *keys, size_t nkeys, const char *want_section,
    void *base, struct filter_conf *fc)
{
	const char	*names[512];
	int		 i, nk = iniparser_getsecnkeys(d, sec);

	if (nk > 512)
		return conf_fail(cx, NULL, "too many keys");
	iniparser_getseckeys(d, sec, names);
	for (i = 0; i < nk; i++) {
		const char		*key = names[i] + strlen(sec) + 1;
		const char		*v;
		const struct conf_key	*k;

		v = iniparser_getstring(d, names[i], "");

		if (fc != NULL && (strncmp(key, "failregex", 9) == 0 ||
		    strncmp(key, "ignoreregex", 11) == 0)) {
			int	 fail = key[0] == 'f';
			struct filter_rx **v_rx = fail ? &fc->failregex :
			    &fc->ignoreregex;
			size_t	*n = fail ? &fc->nfailregex :
			    &fc->nignoreregex;
			struct filter_rx *nv;

			if (*v == '\0')
				continue;
			nv = reallocarray(*v_rx, *n + 1, sizeof(*nv));
			if (nv == NULL)
				return conf_fail(cx, key, "out of memory");
			*v_rx = nv;
			nv[*n].name = strdup(key);
			nv[*n].pattern = strdup(v);
			(*n)++;
			continue;
		}
		if ((k = conf_find(keys, nkeys, want_section, key)) == NULL)
			return conf_fail(cx, key, "unknown key");
		if (conf_set(cx, k, base, v) == -1)
			return -1;
	}
	return 0;
}

static void	 conf_warn(struct conf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* What -t can know before the daemon starts, it checks here. */
static int
conf_check_main(struct conf *c, struct conf_ctx *cx)
{
	const char	*groups[] = { c->socket_group, c->admin_group };
	const char	*gkeys[] = { "socket_group", "admin_group" };
	const char	*dbs[] = { c->city_db, c->asn_db, c->hosting_asns };
	const char	*dbkeys[] = { "city_db", "asn_db", "hosting_asns" };
	struct addr	 a;
	size_t		 i;

	cx->section = "daemon";
	for (i = 0; i < UTIL_NELEM(groups); i++)
		if (groups[i][0] != '\0' && getgrnam(groups[i]) == NULL)
			return conf_fail(cx, gkeys[i], "no group '%s'",
			    groups[i]);
	if (c->database[0] != '/')
		return conf_fail(cx, "database", "'%s' is not an absolute "
		    "path", c->database);
	if (c->socket[0] != '/')
		return conf_fail(cx, "socket", "'%s' is not an absolute path",
		    c->socket);
	cx->section = "firewall";
	if (strlen(c->table) > 64 ||
	    strspn(c->table, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(c->table))
		return conf_fail(cx, "table", "'%s' is not 1-64 letters, "
		    "digits, _ or -", c->table);
	cx->section = "dnsbl";
	if (c->dnsbl_server[0] != '\0' &&
	    addr_parse_host(&a, c->dnsbl_server,
	    strlen(c->dnsbl_server)) == -1)
		return conf_fail(cx, "server", "'%s' is not ADDR or ADDR:PORT",
		    c->dnsbl_server);
	for (i = 0; i < UTIL_NELEM(dbs); i++)
		if (dbs[i][0] != '\0' && access(dbs[i], R_OK) == -1)
			conf_warn(c, "[geoip] %s: %s: %s; reports say unknown",
			    dbkeys[i], dbs[i], strerror(errno));
	return 0;
}

static int
conf_main(struct conf *c, const char *dir, struct conf_ctx *cx)
{
	char		 p1[CONF_PATH_MAX + 32], p2[CONF_PATH_MAX + 32];
	dictionary	*d;
	int		 i, nsec, rv = 0;

	snprintf(p1, sizeof(p1), "%s/abusemom.conf", dir);
	snprintf(p2, sizeof(p2), "%s/abusemom.local", dir);
	cx->file = p1;
	if ((d = conf_read_pair(p1, p2, cx)) == NULL)
		return -1;
	nsec = iniparser_getnsec(d);
	for (i = 0; i < nsec && rv == 0; i++) {
		const char	*sec = iniparser_getsecname(d, i);
		size_t		 k;
		int		 known = 0;

		cx->section = sec;
		for (k = 0; k < UTIL_NELEM(main_keys); k++)
			if (strcmp(main_keys[k].section, sec) == 0)
				known = 1;
		if (!known) {
			rv = conf_fail(cx, NULL, "unknown section");
			break;
		}
		rv = conf_apply(cx, d, sec, main_keys, UTIL_NELEM(main_keys),
		    sec, c, NULL);
	}
	if (rv == 0)
		rv = conf_check_main(c, cx);
	conf_done_pair(cx, d);
	return rv;
}

static int
conf_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Lists the basenames of the *.conf and *.local files of a directory,
 * sorted and unique; backups (.dpkg-dist, .rpmnew, ~) are never read.
 */
static char **
conf_dropins(const char *dir, size_t *count)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 n = 0;

	*count = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		size_t	 len = strlen(de->d_name), base;
		char	**nv;

		if (de->d_name[0] == '.')
			continue;
		if (len > 5 && strcmp(de->d_name + len - 5, ".conf") == 0)
			base = len - 5;
		else if (len > 6 && strcmp(de->d_name + len - 6, ".local") == 0)
			base = len - 6;
		else
			continue;
		if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL)
			break;
		v = nv;
		v[n++] = strndup(de->d_name, base);
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), conf_name_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i], v[i - 1]) == 0) {
			free(v[i]);
			memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof(*v));
			n--;
			i--;
		}
	*count = n;
	return v;
}

static int
conf_add_jail(struct conf *c, dictionary *d, const char *sec,
    const char *file, struct conf_ctx *cx)
{
	struct jail_conf	*nv, *jc;

	if (conf_jail(c, sec) != NULL)
		return conf_fail(cx, NULL, "jail defined twice");
	if (strlen(sec) >= CONF_NAME_MAX || strcmp(sec, "subnet") == 0)
		return conf_fail(cx, NULL, "jail name too long or reserved");
	if ((nv = reallocarray(c->jails, c->njails + 1, sizeof(*nv))) == NULL)
		return conf_fail(cx, NULL, "out of memory");
	c->jails = nv;
	jc = &c->jails[c->njails++];
	memset(jc, 0, sizeof(*jc));
	jc->name = strdup(sec);
	jc->file = strdup(file);
	sig_conf_defaults(&jc->sig);
	if (conf_defaults(cx, jail_keys, UTIL_NELEM(jail_keys), jc) == -1)
		return -1;
	return conf_apply(cx, d, sec, jail_keys, UTIL_NELEM(jail_keys), NULL,
	    jc, NULL);
}

static int
conf_add_filter(struct conf *c, dictionary *d, const char *sec,
    const char *file, struct conf_ctx *cx)
{
	struct filter_entry	*nv, *fe;
	size_t			 i;

	for (i = 0; i < c->nfilters; i++)
		if (strcmp(c->filters[i].fc.name, sec) == 0)
			return conf_fail(cx, NULL, "filter defined twice");
	nv = reallocarray(c->filters, c->nfilters + 1, sizeof(*nv));
	if (nv == NULL)
		return conf_fail(cx, NULL, "out of memory");
	c->filters = nv;
	fe = &c->filters[c->nfilters++];
	memset(fe, 0, sizeof(*fe));
	fe->fc.name = strdup(sec);
	fe->fc.file = strdup(file);
	if (conf_defaults(cx, filter_keys, UTIL_NELEM(filter_keys),
	    &fe->fc) == -1)
		return -1;
	return conf_apply(cx, d, sec, filter_keys, UTIL_NELEM(filter_keys),
	    NULL, &fe->fc, &fe->fc);
}

/* Reads every drop-in of DIR/sub, one jail or filter per section. */
static int
conf_dir(struct conf *c, const char *dir, const char *sub, int jails,
    struct conf_ctx *cx)
{
	char		 path[CONF_PATH_MAX], p1[CONF_PATH_MAX + 300];
	char		 p2[CONF_PATH_MAX + 300];
	char		**names;
	size_t		 i, n;
	int		 rv = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((names = conf_dropins(path, &n)) == NULL)
		return 0;
	for (i = 0; i < n && rv == 0; i++) {
		dictionary	*d;
		int		 s, nsec;

		snprintf(p1, sizeof(p1), "%s/%s.conf", path, names[i]);
		snprintf(p2, sizeof(p2), "%s/%s.local", path, names[i]);
		cx->file = p1;
		cx->section = "";
		if ((d = conf_read_pair(p1, p2, cx)) == NULL) {
			rv = -1;
			break;
		}
		nsec = iniparser_getnsec(d);
		for (s = 0; s < nsec && rv == 0; s++) {
			const char	*sec = iniparser_getsecname(d, s);

			cx->section = sec;
			rv = jails ? conf_add_jail(c, d, sec, cx->file, cx) :
			    conf_add_filter(c, d, sec, cx->file, cx);
		}
		conf_done_pair(cx, d);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rv;
}

static void
conf_warn(struct conf *c, const char *fmt, ...)
{
	char	 msg[512];
	char	**nv;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((nv = reallocarray(c->warnings, c->nwarnings + 1,
	    sizeof(*nv))) == NULL)
		return;
	c->warnings = nv;
	c->warnings[c->nwarnings++] = strdup(msg);
}

/* The parsers take an unset key as NULL; the table stores "". */
static void
conf_filter_view(const struct filter_conf *fc, struct filter_conf *v)
{
	size_t	 i;

	*v = *fc;
	for (i = 0; i < UTIL_NELEM(filter_keys); i++) {
		char	**p = (char **)((char *)v + filter_keys[i].off);

		if (*p != NULL && **p == '\0')
			*p = NULL;
	}
	if (v->escape == NULL)
		v->escape = fc->escape;
}

static int
conf_compile_filters(struct conf *c, struct conf_ctx *cx)
{
	size_t	 i;

	for (i = 0; i < c->nfilters; i++) {
		struct filter_entry	*fe = &c->filters[i];
		struct filter_err	 fe_err;
		struct filter_conf	 view;
		const char		*key = NULL;
		char			 msg[256];

		cx->file = fe->fc.file;
		cx->section = fe->fc.name;
		conf_filter_view(&fe->fc, &view);
		if ((fe->filter = filter_new(&view, &fe_err)) == NULL)
			return conf_fail(cx, fe_err.key[0] ? fe_err.key :
			    "format", "%s", fe_err.msg);
		fe->match = sig_match_new(fe->fc.danger_medium,
		    fe->fc.danger_high, fe->fc.badua, msg, sizeof(msg), &key);
		if (fe->match == NULL)
			return conf_fail(cx, key, "%s", msg);
	}
	return 0;
}

static int
conf_check_jails(struct conf *c, struct conf_ctx *cx)
{
	size_t	 i, j;

	for (i = 0; i < c->njails; i++) {
		struct jail_conf	*jc = &c->jails[i];
		int			 found = 0;

		cx->file = jc->file;
		cx->section = jc->name;
		if (jc->bantime == 0)
			jc->bantime = c->bantime;
		for (j = 0; j < c->nfilters; j++)
			if (strcmp(c->filters[j].fc.name, jc->filter) == 0) {
				jc->filter_idx = j;
				found = 1;
			}
		if (!jc->enabled)
			continue;
		if (jc->filter[0] == '\0')
			return conf_fail(cx, "filter", "missing");
		if (!found)
			return conf_fail(cx, "filter", "no filter '%s' in "
			    "filters.d", jc->filter);
		if (jc->nlogpath == 0)
			return conf_fail(cx, "logpath", "missing");
		if (jc->sig.mask == 0)
			return conf_fail(cx, "signatures", "missing");
		if ((jc->sig.mask & (1u << SIG_REFERER)) &&
		    jc->sig.own_domains[0] == NULL &&
		    !filter_logs_host(c->filters[jc->filter_idx].filter))
			conf_warn(c, "jail %s: referer is inactive: set "
			    "own_domains or log the Host", jc->name);
		if (filter_is_regex(c->filters[jc->filter_idx].filter) !=
		    ((jc->sig.mask & (1u << SIG_AUTHFAIL)) != 0) ||
		    (jc->sig.mask & (1u << SIG_AUTHFAIL) &&
		    jc->sig.mask != (1u << SIG_AUTHFAIL)))
			conf_warn(c, "jail %s: authfail reads failregex "
			    "filters, the other signatures access logs: %s "
			    "does not fit filter %s", jc->name,
			    jc->signatures, jc->filter);
		if (filter_forgeable(c->filters[jc->filter_idx].filter))
			conf_warn(c, "jail %s: filter %s reads escape=none "
			    "logs, whose fields can be forged", jc->name,
			    jc->filter);
	}
	return 0;
}

static void
conf_add_self(struct conf *c)
{
	struct ifaddrs	*ifa, *i;

	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		struct prefix	 p;
		char		 buf[ADDR_STRLEN];
		int		 fam;
		const void	*src;

		if (i->ifa_addr == NULL)
			continue;
		fam = i->ifa_addr->sa_family;
		if (fam == AF_INET)
			src = &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr;
		else if (fam == AF_INET6)
			src = &((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(fam, src, buf, sizeof(buf)) == NULL ||
		    prefix_parse(&p, buf) == -1)
			continue;
		addrlist_add(&c->ignore, &p);
	}
	freeifaddrs(ifa);
}

struct conf *
conf_load(const char *dir, char *err, size_t errlen)
{
	struct conf	*c;
	struct conf_ctx	 cx = { "(defaults)", "", err, errlen, NULL, NULL };
	struct prefix	 lo;
	struct stat	 sb;

	err[0] = '\0';
	/* A typo in -c must not run a daemon that protects nothing. */
	if (stat(dir, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->dir = strdup(dir);
	if (conf_defaults(&cx, main_keys, UTIL_NELEM(main_keys), c) == -1 ||
	    conf_main(c, dir, &cx) == -1 ||
	    conf_dir(c, dir, "filters.d", 0, &cx) == -1 ||
	    conf_dir(c, dir, "jails.d", 1, &cx) == -1 ||
	    conf_compile_filters(c, &cx) == -1 ||
	    conf_check_jails(c, &cx) == -1) {
		conf_free(c);
		return NULL;
	}
	prefix_parse(&lo, "127.0.0.0/8");
	addrlist_add(&c->ignore, &lo);
	prefix_parse(&lo, "::1");
	addrlist_add(&c->ignore, &lo);
	if (c->ignore_self)
		conf_add_self(c);
	return c;
}

static void
conf_free_strings(const struct conf_key *keys, size_t n, void *base)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		char	*p = (char *)base + keys[i].off;

		if (keys[i].type == CT_STR || keys[i].type == CT_ENUM)
			free(*(char **)p);
		else if (keys[i].type == CT_ADDRS)
			addrlist_free((struct addrlist *)p);
	}
}

static void
conf_free_rx(struct filter_rx *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].pattern);
	}
	free(v);
}

void
conf_free(struct conf *c)
{
	size_t	 i, j;

	if (c == NULL)
		return;
	conf_free_strings(main_keys, UTIL_NELEM(main_keys), c);
	for (i = 0; i < c->njails; i++) {
		struct jail_conf	*jc = &c->jails[i];

		conf_free_strings(jail_keys, UTIL_NELEM(jail_keys), jc);
		for (j = 0; j < jc->nlogpath; j++)
			free(jc->logpath[j].glob);
		free(jc->logpath);
		free(jc->signatures);
		free(jc->name);
		free(jc->file);
		sig_conf_free(&jc->sig);
	}
	free(c->jails);
	for (i = 0; i < c->nfilters; i++) {
		struct filter_entry	*fe = &c->filters[i];

		filter_free(fe->filter);
		sig_match_free(fe->match);
		conf_free_strings(filter_keys, UTIL_NELEM(filter_keys),
		    &fe->fc);
		conf_free_rx(fe->fc.failregex, fe->fc.nfailregex);
		conf_free_rx(fe->fc.ignoreregex, fe->fc.nignoreregex);
		free(fe->fc.name);
		free(fe->fc.file);
	}
	free(c->filters);
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->dir);
	free(c);
}

struct jail_conf *
conf_jail(const struct conf *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->njails; i++)
		if (strcmp(c->jails[i].name, name) == 0)
			return &c->jails[i];
	return NULL;
}

void
conf_print(const struct conf *c, FILE *fp)
{
	size_t	 i, j, n = 0;

	for (i = 0; i < c->njails; i++) {
		const struct jail_conf	*jc = &c->jails[i];
		char			 bt[32];

		if (!jc->enabled)
			continue;
		n++;
		util_format_duration(jc->bantime, bt, sizeof(bt));
		fprintf(fp, "jail %s\n  filter     %s\n  signatures %s\n"
		    "  window     %llds\n  bantime    %s\n  files     ",
		    jc->name, jc->filter, jc->signatures,
		    (long long)(jc->sig.window_ms / 1000), bt);
		for (j = 0; j < jc->nlogpath; j++)
			fprintf(fp, " %s%s", jc->logpath[j].glob,
			    jc->logpath[j].head ? " (head)" : "");
		if (jc->journalmatch != NULL && jc->journalmatch[0] != '\0')
			fprintf(fp, "\n  journal    %s", jc->journalmatch);
		fprintf(fp, "\n");
	}
	if (n == 0)
		fprintf(fp, "no jails enabled\n");
	for (i = 0; i < c->nwarnings; i++)
		fprintf(fp, "warning: %s\n", c->warnings[i]);
}
